using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace SalesMind.Identity.Web;

/// <summary>Requests per client address per minute (section <c>RateLimits</c>).</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    [Range(1, 1_000_000)]
    public int RegisterPerMinute { get; set; } = 20;

    [Range(1, 1_000_000)]
    public int LoginPerMinute { get; set; } = 20;

    [Range(1, 1_000_000)]
    public int ResendPerMinute { get; set; } = 10;

    /// <summary>Verification codes one client may type a minute (right or wrong).</summary>
    [Range(1, 1_000_000)]
    public int VerifyCodePerMinute { get; set; } = 10;
}

/// <summary>
/// Per-IP limits on the endpoints people could abuse (sign-up, login, resend, verification codes), answered with 429,
/// <c>Retry-After</c> and problem details. Behind nginx the client address comes from
/// X-Forwarded-For (trusted from loopback proxies only).
/// </summary>
public static class RateLimits
{
    public const string Register = "register";
    public const string Login = "login";
    public const string Resend = "resend";
    public const string VerifyCode = "verify-code";

    public static IServiceCollection AddIdentityRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(Register, http => PerClient(http, options.RegisterPerMinute));
            limiter.AddPolicy(Login, http => PerClient(http, options.LoginPerMinute));
            limiter.AddPolicy(Resend, http => PerClient(http, options.ResendPerMinute));
            limiter.AddPolicy(VerifyCode, http => PerClient(http, options.VerifyCodePerMinute));
            limiter.OnRejected = async (context, ct) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                var http = context.HttpContext;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await TypedResults.Problem($"Too many requests from this address; try again in {(int)Math.Ceiling(retryAfter.TotalSeconds)} s.",
                    statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests").ExecuteAsync(http);
            };
        });
        return services;
    }

    private static RateLimitPartition<string> PerClient(HttpContext http, int perMinute) =>
        RateLimitPartition.GetFixedWindowLimiter(
            http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
}
