using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SalesMind.ServiceDefaults;

namespace SalesMind.TestSupport;

/// <summary>
/// The test run's own ES256 key pair, configured into the in-process services, and tokens made
/// with it (as Identity would) or forged (as an attacker would).
/// </summary>
public static class TestAdminTokens
{
    /// <summary>The key the old services shared for HS256 tokens: whoever had it must get nothing now.</summary>
    public const string OldSharedKey = "development-only-signing-key-change-me-0123456789";

    private static readonly ECDsa Key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public static string PublicKeyPem { get; } = Key.ExportSubjectPublicKeyInfoPem();

    public static string PrivateKeyPem { get; } = Key.ExportPkcs8PrivateKeyPem();

    /// <summary>Gives a host the test public key (and, for Identity, the private one).</summary>
    public static IWebHostBuilder UseTestAdminKeys(this IWebHostBuilder builder, bool signer)
    {
        builder.UseSetting("Auth:PublicKey", PublicKeyPem);
        if (signer)
        {
            builder.UseSetting("Auth:PrivateKey", PrivateKeyPem);
        }

        return builder;
    }

    /// <summary>A token as Identity makes them, for the account <paramref name="userId"/> at token version <paramref name="version"/> (null: none).</summary>
    public static string Mint(Guid userId, int? version, string[] roles, string username = "test", string email = "test@mail.test", TimeSpan? lifetime = null) =>
        Sign(Claims(userId, version, roles, username, email), new SigningCredentials(new ECDsaSecurityKey(Key), SecurityAlgorithms.EcdsaSha256), lifetime);

    /// <summary>
    /// Tokens carrying the very claims of <paramref name="genuine"/> that no service may accept:
    /// signed by another EC key, with HS256 under the old shared key or under the public key's
    /// text (algorithm confusion), unsigned (<c>alg: none</c>), and the genuine signature over a
    /// payload raised to a newer token version.
    /// </summary>
    public static IReadOnlyList<(string Name, string Token)> Forgeries(string genuine)
    {
        var jwt = new JsonWebToken(genuine);
        var claims = jwt.Claims.Where(c => c.Type is not ("iss" or "aud" or "exp" or "nbf" or "iat")).ToList();
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parts = genuine.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1]));
        var version = int.Parse(jwt.GetClaim(AdminAuth.VersionClaim).Value, System.Globalization.CultureInfo.InvariantCulture);
        var changed = System.Text.RegularExpressions.Regex.Replace(payload, "\"ver\":\"?\\d+\"?", $"\"ver\":{version + 1}");
        if (changed == payload)
        {
            throw new InvalidOperationException("The genuine token has no version to change.");
        }

        var raised = Base64UrlEncoder.Encode(changed);
        return
        [
            ("another EC key", Sign(claims, new SigningCredentials(new ECDsaSecurityKey(other), SecurityAlgorithms.EcdsaSha256))),
            ("HS256 with the old shared key", Sign(claims, Hmac(OldSharedKey))),
            ("HS256 keyed with the public key", Sign(claims, Hmac(PublicKeyPem))),
            ("alg none", Sign(claims, null)),
            ("a changed payload under the genuine signature", $"{parts[0]}.{raised}.{parts[2]}"),
        ];
    }

    private static SigningCredentials Hmac(string secret) =>
        new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256);

    private static List<Claim> Claims(Guid userId, int? version, string[] roles, string username, string email)
    {
        var claims = new List<Claim>
        {
            new(AdminAuth.SubjectClaim, userId.ToString()),
            new(AdminAuth.NameClaim, username),
            new(AdminAuth.EmailClaim, email),
        };
        if (version is { } v)
        {
            claims.Add(new(AdminAuth.VersionClaim, v.ToString(System.Globalization.CultureInfo.InvariantCulture), ClaimValueTypes.Integer32));
        }

        claims.AddRange(roles.Select(r => new Claim(AdminAuth.RoleClaim, r)));
        return claims;
    }

    private static string Sign(IEnumerable<Claim> claims, SigningCredentials? credentials, TimeSpan? lifetime = null)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "salesmind-identity",
            Audience = "salesmind",
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + (lifetime ?? TimeSpan.FromMinutes(5)),
            SigningCredentials = credentials,
        });
    }
}
