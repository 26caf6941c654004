using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SalesMind.ServiceDefaults;

/// <summary>How admin bearer tokens are signed and checked (section <c>Auth</c>), the same in both services.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    [Required]
    public string Issuer { get; set; } = "salesmind-identity";

    [Required]
    public string Audience { get; set; } = "salesmind";

    /// <summary>HMAC-SHA256 key shared by the services; at least 32 characters of secret.</summary>
    [Required(ErrorMessage = "Auth:SigningKey is required (env Auth__SigningKey): a secret of at least 32 characters shared by Identity and Notifier.")]
    [MinLength(32, ErrorMessage = "Auth:SigningKey must be at least 32 characters.")]
    public string SigningKey { get; set; } = "";

    internal SymmetricSecurityKey Key => new(Encoding.UTF8.GetBytes(SigningKey));
}

/// <summary>
/// Admin endpoints accept a short-lived signed bearer token carrying the role <c>admin</c>.
/// Identity issues them (today: the <c>admin-token</c> command); both services validate them.
/// </summary>
public static class AdminAuth
{
    public const string AdminPolicy = "admin";
    public const string RoleClaim = "role";
    public const string AdminRole = "admin";

    public static IServiceCollection AddAdminAuth(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>>((jwt, auth) =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = auth.Value.Issuer,
                    ValidAudience = auth.Value.Audience,
                    IssuerSigningKey = auth.Value.Key,
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    RoleClaimType = RoleClaim,
                    NameClaimType = "sub",
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(AdminRole));
        return services;
    }

    public static WebApplication UseAdminAuth(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>A signed token for <paramref name="subject"/> with <paramref name="roles"/>, valid for <paramref name="lifetime"/>.</summary>
    public static string CreateToken(AuthOptions options, string subject, IEnumerable<string> roles, TimeSpan lifetime)
    {
        var now = DateTime.UtcNow;
        var claims = new List<Claim> { new("sub", subject) };
        claims.AddRange(roles.Select(r => new Claim(RoleClaim, r)));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(options.Key, SecurityAlgorithms.HmacSha256),
        });
    }
}
