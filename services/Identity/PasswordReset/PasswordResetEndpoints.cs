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
        var api = app.MapGroup("/api/auth/password-reset");
        api.MapPost("/", RequestAsync).RequireRateLimiting(RateLimits.Resend).AddEndpointFilter<UniformAnswerTime>();
        api.MapPost("/confirm/", ConfirmAsync).RequireRateLimiting(RateLimits.Login);
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
