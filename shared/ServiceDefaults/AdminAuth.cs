using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace SalesMind.ServiceDefaults;

/// <summary>
/// How admin bearer tokens are checked (section <c>Auth</c>), the same in both services: an
/// ES256 (ECDSA P-256) signature verified with Identity's public key. Only Identity holds the
/// private key (see <see cref="AdminTokenKeys.LoadPrivate"/>): whoever holds the Notifier's
/// configuration can check tokens but never make one.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    [Required]
    public string Issuer { get; set; } = "salesmind-identity";

    [Required]
    public string Audience { get; set; } = "salesmind";

    /// <summary>Identity's public key: PEM text, or its base64 body on one line (handy in an env file).</summary>
    public string? PublicKey { get; set; }

    /// <summary>A PEM file with Identity's public key (instead of <see cref="PublicKey"/>).</summary>
    public string? PublicKeyFile { get; set; }

    /// <summary>Identity only: its private signing key (PKCS#8 or SEC1 PEM, or the base64 body on one line).</summary>
    public string? PrivateKey { get; set; }

    /// <summary>Identity only: a PEM file with the private signing key (instead of <see cref="PrivateKey"/>).</summary>
    public string? PrivateKeyFile { get; set; }
}

/// <summary>
/// Admin endpoints accept a short-lived ES256 bearer token that names a real account (its id in
/// <c>sub</c>), carries the role <c>admin</c> and the account's token version. Identity issues
/// them; both services verify them, and each asks an <see cref="IAdminTokenCheck"/> whether the
/// account may still use them (Identity: the account itself; the Notifier: the revocations
/// Identity announced).
/// </summary>
public static class AdminAuth
{
    public const string AdminPolicy = "admin";
    public const string RoleClaim = "role";
    public const string AdminRole = "admin";
    public const string SubjectClaim = "sub";
    public const string NameClaim = "name";
    public const string EmailClaim = "email";

    /// <summary>The account's token version when the token was issued; a newer version kills it.</summary>
    public const string VersionClaim = "ver";

    /// <summary>The only accepted algorithm: a token signed with HMAC (the old shared key) or unsigned is no token.</summary>
    public const string Algorithm = SecurityAlgorithms.EcdsaSha256;

    /// <summary>Verification for both services; <typeparamref name="TCheck"/> decides, per request, whether the account still holds.</summary>
    public static IServiceCollection AddAdminAuth<TCheck>(this IServiceCollection services)
        where TCheck : class, IAdminTokenCheck
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations()
            .Validate(o => AdminTokenKeys.TryLoadPublic(o, out _), AdminTokenKeys.PublicKeyProblem)
            .ValidateOnStart();
        services.AddMemoryCache();
        services.AddSingleton<TCheck>();
        services.AddSingleton<IAdminTokenCheck>(sp => sp.GetRequiredService<TCheck>());
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>>((jwt, auth) =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = ValidationParameters(auth.Value);
                jwt.Events = new JwtBearerEvents
                {
                    OnTokenValidated = async context =>
                    {
                        if (AdminTokenClaims.From(context.Principal) is not { } claims)
                        {
                            context.Fail("The token does not name an account and its token version.");
                            return;
                        }

                        var check = context.HttpContext.RequestServices.GetRequiredService<IAdminTokenCheck>();
                        if (await check.RejectAsync(claims, context.HttpContext.RequestAborted) is { } why)
                        {
                            context.Fail(why);
                        }
                    },
                };
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(AdminRole));
        return services;
    }

    /// <summary>What a token must satisfy before any account check: issuer, audience, lifetime and an ES256 signature by Identity's key.</summary>
    public static TokenValidationParameters ValidationParameters(AuthOptions options)
    {
        AdminTokenKeys.TryLoadPublic(options, out var key);
        return new TokenValidationParameters
        {
            ValidIssuer = options.Issuer,
            ValidAudience = options.Audience,
            IssuerSigningKey = key,
            // Pinned: HS256 (what the old shared key made) and "none" are refused, whatever the header says.
            ValidAlgorithms = [Algorithm],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            RoleClaimType = RoleClaim,
            NameClaimType = NameClaim,
            ClockSkew = TimeSpan.FromSeconds(30),
        };
    }

    public static WebApplication UseAdminAuth(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}

/// <summary>The parts of a verified admin token the services act on.</summary>
public sealed record AdminTokenClaims(Guid UserId, int Version, string? Username, string? Email, bool ClaimsAdmin)
{
    public static AdminTokenClaims? From(ClaimsPrincipal? principal)
    {
        if (principal is null
            || !Guid.TryParse(principal.FindFirst(AdminAuth.SubjectClaim)?.Value, out var id)
            || !int.TryParse(principal.FindFirst(AdminAuth.VersionClaim)?.Value, System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var version))
        {
            return null;
        }

        return new AdminTokenClaims(id, version, principal.FindFirst(AdminAuth.NameClaim)?.Value, principal.FindFirst(AdminAuth.EmailClaim)?.Value,
            principal.HasClaim(AdminAuth.RoleClaim, AdminAuth.AdminRole));
    }
}

/// <summary>Per request, after the signature: may the account named by a valid token still use it? (One implementation per service.)</summary>
public interface IAdminTokenCheck
{
    /// <summary>Null when the token may be used; otherwise why not (for the log, never for the caller).</summary>
    Task<string?> RejectAsync(AdminTokenClaims token, CancellationToken ct);
}

/// <summary>Reads the ES256 key pair from configuration.</summary>
public static class AdminTokenKeys
{
    public const string PublicKeyProblem =
        "Auth:PublicKey or Auth:PublicKeyFile (env Auth__PublicKey / Auth__PublicKeyFile) must hold Identity's ECDSA P-256 public key (PEM); " +
        "make a key pair with: openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out admin-token.key && openssl ec -in admin-token.key -pubout -out admin-token.pub";

    public const string PrivateKeyProblem =
        "Auth:PrivateKey or Auth:PrivateKeyFile (env Auth__PrivateKey / Auth__PrivateKeyFile) must hold Identity's ECDSA P-256 private key (PEM) matching Auth:PublicKey; see Auth:PublicKey for how to make one.";

    public static bool TryLoadPublic(AuthOptions options, out ECDsaSecurityKey? key)
    {
        key = Load(options.PublicKey, options.PublicKeyFile, (ecdsa, der) => ecdsa.ImportSubjectPublicKeyInfo(der, out _));
        return key is not null;
    }

    /// <summary>Identity's signing key, checked against the public key so a mismatched pair fails at start, not at every request.</summary>
    public static bool TryLoadPrivate(AuthOptions options, out ECDsaSecurityKey? key)
    {
        key = Load(options.PrivateKey, options.PrivateKeyFile, (ecdsa, der) =>
        {
            try
            {
                ecdsa.ImportPkcs8PrivateKey(der, out _);
            }
            catch (CryptographicException)
            {
                ecdsa.ImportECPrivateKey(der, out _);
            }
        });
        if (key is null || !HasPrivatePart(key.ECDsa) || !TryLoadPublic(options, out var publicKey))
        {
            key = null;
            return false;
        }

        var a = key.ECDsa.ExportParameters(false).Q;
        var b = publicKey!.ECDsa.ExportParameters(false).Q;
        if (!a.X!.AsSpan().SequenceEqual(b.X) || !a.Y!.AsSpan().SequenceEqual(b.Y))
        {
            key = null;
            return false;
        }

        return true;
    }

    // A public key PEM imports without complaint; only a private part can sign.
    private static bool HasPrivatePart(ECDsa ecdsa)
    {
        try
        {
            return ecdsa.ExportParameters(includePrivateParameters: true).D is { Length: > 0 };
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static ECDsaSecurityKey? Load(string? text, string? file, Action<ECDsa, byte[]> importDer)
    {
        try
        {
            var pem = !string.IsNullOrWhiteSpace(text) ? text : !string.IsNullOrWhiteSpace(file) ? File.ReadAllText(file) : null;
            if (pem is null)
            {
                return null;
            }

            var ecdsa = ECDsa.Create();
            if (pem.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                ecdsa.ImportFromPem(pem);
            }
            else
            {
                importDer(ecdsa, Convert.FromBase64String(pem.Trim()));
            }

            // P-256 only: ES256 names that curve.
            if (ecdsa.KeySize != 256)
            {
                return null;
            }

            var key = new ECDsaSecurityKey(ecdsa);
            key.KeyId = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
            return key;
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
