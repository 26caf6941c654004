using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SalesMind.Identity.Accounts;
using SalesMind.ServiceDefaults;

namespace SalesMind.Identity.AdminTokens;

/// <summary>
/// Signs admin bearer tokens with Identity's private key (ES256). Only Identity has this class
/// and the key; the Notifier verifies with the public key alone.
/// </summary>
public sealed class AdminTokenIssuer(IOptions<AuthOptions> options, TimeProvider time)
{
    /// <summary>A stolen token is worth at most this long, whoever asks for it.</summary>
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(60);

    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(15);

    private readonly Lazy<SigningCredentials> _credentials = new(() =>
        AdminTokenKeys.TryLoadPrivate(options.Value, out var key)
            ? new SigningCredentials(key, AdminAuth.Algorithm)
            : throw new InvalidOperationException(AdminTokenKeys.PrivateKeyProblem));

    /// <summary>A token for <paramref name="user"/> (who must be an active admin) carrying its current token version.</summary>
    public string Issue(User user, TimeSpan lifetime)
    {
        if (lifetime <= TimeSpan.Zero || lifetime > MaxLifetime)
        {
            throw new ArgumentOutOfRangeException(nameof(lifetime), lifetime, $"An admin token lives at most {MaxLifetime.TotalMinutes} minutes.");
        }

        if (!user.IsActive || !user.Roles.Contains(AdminAuth.AdminRole))
        {
            throw new InvalidOperationException("Only an active admin gets an admin token.");
        }

        var now = time.GetUtcNow().UtcDateTime;
        var claims = new List<Claim>
        {
            new(AdminAuth.SubjectClaim, user.Id.ToString()),
            new(AdminAuth.NameClaim, user.Username),
            new(AdminAuth.EmailClaim, user.Email),
            new(AdminAuth.VersionClaim, user.TokenVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), ClaimValueTypes.Integer32),
            new(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
        };
        claims.AddRange(user.Roles.Select(r => new Claim(AdminAuth.RoleClaim, r)));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = options.Value.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = _credentials.Value,
        });
    }
}
