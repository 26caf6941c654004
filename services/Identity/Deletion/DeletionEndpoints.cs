using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Sessions;
using SalesMind.Identity.Web;

namespace SalesMind.Identity.Deletion;

/// <summary>"Delete my account" and "Download my data" for the signed-in owner.</summary>
public static class DeletionEndpoints
{
    /// <summary>The rate-limit policy of the export: a handful per session, as it reads every table about the person.</summary>
    public const string ExportLimit = "account-export";

    public const int ExportsPerWindow = 5;

    public static readonly TimeSpan ExportWindow = TimeSpan.FromMinutes(10);

    public sealed record DeleteRequest(string? Password, string? Locale);

    public sealed record DeleteResponse(string Status, DateTimeOffset PurgeAfter);

    public static IServiceCollection AddAccountDeletion(this IServiceCollection services)
    {
        services.AddScoped<AccountDeletion>();
        services.AddScoped<AccountExport>();
        services.AddSingleton<DeletedAccountPurge>();
        services.AddHostedService(sp => sp.GetRequiredService<DeletedAccountPurge>());
        // Keyed by the session cookie (by address without one): every session has its own budget,
        // and nobody else's downloads use it up. The cookie is a credential: only its hash is kept as the key.
        services.AddRateLimiter(limiter => limiter.AddPolicy(ExportLimit, http => RateLimitPartition.GetFixedWindowLimiter(
            http.Request.Cookies[SessionEndpoints.CookieName] is { } cookie
                ? "session:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(cookie)))
                : "address:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown"),
            _ => new FixedWindowRateLimiterOptions { PermitLimit = ExportsPerWindow, Window = ExportWindow, QueueLimit = 0 })));
        return services;
    }

    public static IEndpointRouteBuilder MapAccountDeletion(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/account").WithTags("Account deletion");
        api.MapPost("/delete/", DeleteAsync).RequireCsrfHeader().WithSessionCookie().RequireRateLimiting(RateLimits.Login)
            .WithSummary("Delete the signed-in account (needs its password)")
            .WithDescription("Ends every session and admin token at once, frees the address and the username for a new sign-up, and " +
                "tells the mail service to erase the address. The unusable row is removed after the grace period (`Identity:DeletionGracePeriod`, " +
                "14 days). A wrong password is a 400 on `password` and counts like a failed login: too many lock the account (429 with " +
                "Retry-After in whole minutes). The last active admin cannot delete itself (409 `last_admin`): make another " +
                "account an admin first. Clears the session cookie. Needs `X-CSRF: 1`.")
            .WithRequestBody<DeleteRequest>("application/json")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithExample(new DeleteRequest("example-password-only", "ja"),
                new DeleteResponse("deleted", new DateTimeOffset(2026, 12, 14, 9, 0, 0, TimeSpan.Zero)))
            .WithExample(response: ApiDocs.Problem(StatusCodes.Status400BadRequest, "Wrong password",
                errors: new Dictionary<string, string[]> { ["password"] = ["The password is wrong."] }), status: StatusCodes.Status400BadRequest)
            .WithExample(response: ApiDocs.Problem(StatusCodes.Status401Unauthorized, "Not signed in", "Log in first."), status: StatusCodes.Status401Unauthorized)
            .WithExample(response: ApiDocs.Problem(StatusCodes.Status409Conflict, "Last admin",
                "This account is the last admin: make another account an admin first, then delete this one."), status: StatusCodes.Status409Conflict);
        api.MapGet("/export/", ExportAsync).WithSessionCookie().RequireRateLimiting(ExportLimit)
            .WithSummary("Download everything held about the signed-in person, as a JSON file")
            .WithDescription("Account fields, profile, roles, sessions (device, address, times), known devices (times only), address " +
                "changes, audit entries about the account, and the latest delivery report for its address. Never a password hash or " +
                "a token. An attachment named `salesmind-account-<username>.json`, with `Cache-Control: no-store`; 5 per 10 minutes per session.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json").ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithExample(response: ExportExample());
        return app;
    }

    internal static async Task<Results<Ok<DeleteResponse>, ValidationProblem, ProblemHttpResult>> DeleteAsync(
        HttpContext http, Authenticator authenticator, AccountDeletion deletion, CancellationToken ct)
    {
        var user = await authenticator.CurrentUserAsync(http.Request.Cookies[SessionEndpoints.CookieName], ct);
        if (user is null)
        {
            return NotSignedIn();
        }

        var (request, malformed) = await Json.ReadAsync<DeleteRequest>(http.Request, ct);
        if (malformed)
        {
            return Problems.Malformed("Send {\"password\": …} as application/json.", "Malformed deletion");
        }

        var locale = Messages.LocaleOf(request?.Locale);
        var password = request?.Password ?? "";
        if (password.Length is 0 or > FieldRules.PasswordMax)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["password"] = [Messages.Pick(locale, "現在のパスワードを入力してください。", "Enter your current password.")] },
                title: "Invalid deletion");
        }

        var outcome = await deletion.DeleteAsync(http, user, password, ct);
        switch (outcome.Result)
        {
            case DeletionResult.Busy:
                return Problems.Busy(http, outcome.Wait);
            case DeletionResult.Locked:
                var minutes = Math.Max(1, (int)Math.Ceiling(outcome.Wait.TotalMinutes));
                http.Response.Headers.RetryAfter = (minutes * 60).ToString(CultureInfo.InvariantCulture);
                return TypedResults.Problem(
                    Messages.Pick(locale, "パスワードの誤りが続いたため、しばらくお待ちください。", "Too many wrong passwords: try again later."),
                    statusCode: StatusCodes.Status429TooManyRequests, title: "Too many attempts");
            case DeletionResult.WrongPassword:
                return TypedResults.ValidationProblem(
                    new Dictionary<string, string[]> { ["password"] = [Messages.Pick(locale, "パスワードが正しくありません。", "The password is wrong.")] },
                    title: "Wrong password");
            case DeletionResult.LastAdmin:
                return TypedResults.Problem(new ProblemDetails
                {
                    Status = StatusCodes.Status409Conflict,
                    Title = "Last admin",
                    Detail = Messages.Pick(locale,
                        "このアカウントは最後の管理者です。先に別のアカウントを管理者にしてから削除してください。",
                        "This account is the last admin: make another account an admin first, then delete this one."),
                    Extensions = { ["code"] = "last_admin" },
                });
        }

        http.Response.Cookies.Delete(SessionEndpoints.CookieName, new CookieOptions { Path = "/" });
        return TypedResults.Ok(new DeleteResponse("deleted", outcome.PurgeAfter));
    }

    internal static async Task<Results<FileContentHttpResult, ProblemHttpResult>> ExportAsync(
        HttpContext http, Authenticator authenticator, AccountExport export, CancellationToken ct)
    {
        // Personal data: no browser or proxy may keep a copy.
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Pragma = "no-cache";
        var user = await authenticator.CurrentUserAsync(http.Request.Cookies[SessionEndpoints.CookieName], ct);
        if (user is null)
        {
            return NotSignedIn();
        }

        var file = await export.BuildAsync(user, ct);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(file, ExportJson);
        return TypedResults.File(bytes, "application/json", $"salesmind-account-{user.Username}.json");
    }

    private static readonly JsonSerializerOptions ExportJson = new(Json.SnakeCase) { WriteIndented = true };

    private static ProblemHttpResult NotSignedIn() =>
        TypedResults.Problem("Log in first.", statusCode: StatusCodes.Status401Unauthorized, title: "Not signed in");

    private static AccountExport.ExportFile ExportExample()
    {
        var at = new DateTimeOffset(2026, 11, 28, 9, 5, 0, TimeSpan.Zero);
        return new AccountExport.ExportFile(at,
            new AccountExport.AccountPart(Guid.Parse("0193a0c2-5a1e-7000-8000-000000000001"), "hanako_sato", "hanako@example.com", true,
                at.AddDays(-2), at.AddDays(-2).AddMinutes(3), null, null, null, null, 0, null),
            new AccountExport.ProfilePart("software", "3_5", "Close more renewals", "ja"), ["user"],
            [new AccountExport.SessionPart("Mozilla/5.0 (Android 14; Mobile)", "203.0.113.7", at, at.AddMinutes(40), at.AddDays(14))],
            [new AccountExport.DevicePart(at, at.AddDays(90))], [],
            [new AccountExport.AuditPart(at, "hanako_sato", "profile.updated", null, null)],
            [new AccountExport.EmailPart("hanako@example.com", "welcome", "delivered", null, at.AddDays(-2).AddMinutes(4))],
            AccountExport.EmailsNote);
    }
}
