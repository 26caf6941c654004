using Microsoft.AspNetCore.Http.HttpResults;
using SalesMind.Identity.Web;

namespace SalesMind.Identity.PasswordReset;

/// <summary>Forgotten passwords: a request that always answers 202, and the new password (<see cref="PasswordResets"/>).</summary>
public static class PasswordResetEndpoints
{
    /// <param name="Username">Only for a link that completes a contested sign-up (the page asks for it then).</param>
    public sealed record ResetConfirmation(string? Token, string? Password, string? Locale, string? Username = null);

    public sealed record ResetAccepted(string Status);

    public static IEndpointRouteBuilder MapPasswordReset(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth/password-reset").WithTags("Password reset");
        api.MapPost("/", RequestAsync).RequireRateLimiting(RateLimits.Resend).AddEndpointFilter<UniformAnswerTime>()
            .WithSummary("Email a password-reset link")
            .WithDescription("Always the same 202, in the same time, whether or not the address has an account. No session, so no `X-CSRF` header.")
            .WithRequestBody<EmailRequest>("application/json")
            .WithExample(new EmailRequest("hanako@example.com", "en"), new ResetAccepted("accepted"), StatusCodes.Status202Accepted);
        api.MapPost("/confirm/", ConfirmAsync).RequireRateLimiting(RateLimits.Login)
            .WithSummary("Set a new password with the link's token")
            .WithDescription("204 when the password is changed: every session of the account ends. 400 names the problem (`token` for an " +
                "unknown, used or expired link; `password` for one the rules refuse). A link that completes a contested sign-up " +
                "also takes `username` (409 when taken).")
            .WithRequestBody<ResetConfirmation>("application/json")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithExample(new ResetConfirmation("example-token-from-the-email", "example-new-password-only", "en"))
            .WithExample(response: ApiDocs.Problem(StatusCodes.Status400BadRequest, "Unusable link",
                errors: new Dictionary<string, string[]> { ["token"] = ["This link has expired or was already used; ask for a new one."] }),
                status: StatusCodes.Status400BadRequest);
        return app;
    }

    internal static async Task<Results<Accepted<ResetAccepted>, ValidationProblem, ProblemHttpResult>> RequestAsync(
        HttpRequest http, PasswordResets resets, CancellationToken ct)
    {
        var read = await EmailRequest.ReadAsync(http, ct);
        if (read.Malformed is { } malformed)
        {
            return malformed;
        }

        if (read.Invalid is { } invalid)
        {
            return invalid;
        }

        await resets.RequestAsync(read.Email, read.Locale, ct);
        return TypedResults.Accepted((string?)null, new ResetAccepted("accepted"));
    }

    internal static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ConfirmAsync(
        HttpContext http, PasswordResets resets, CancellationToken ct)
    {
        var (request, malformed) = await Json.ReadAsync<ResetConfirmation>(http.Request, ct);
        if (malformed)
        {
            return Problems.Malformed("Send {\"token\": …, \"password\": …} (with \"username\" to finish a sign-up) as application/json.");
        }

        var locale = Messages.LocaleOf(request?.Locale);
        var outcome = await resets.ConfirmAsync(http, request?.Token, request?.Password, request?.Username, ct);
        if (outcome.Succeeded)
        {
            return TypedResults.NoContent();
        }

        if (outcome.UsernameTaken)
        {
            return Problems.UsernameTaken(locale);
        }

        var title = outcome.IsTokenProblem ? "Unusable link" : outcome.CompletesSignup ? "Invalid username or password" : "Invalid password";
        return TypedResults.ValidationProblem(Problems.Texts(outcome.Problems, locale), title: title);
    }
}
