using Microsoft.AspNetCore.Http.HttpResults;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Sessions;
using SalesMind.Identity.Web;

namespace SalesMind.Identity.EmailChanges;

/// <summary>Changing the account's address (<see cref="AddressChanges"/>): the request, its confirmation, and the undo.</summary>
public static class EmailChangeEndpoints
{
    public const string Accepted = "confirmation_sent";

    public sealed record ChangeRequest(string? NewEmail, string? Password, string? Locale);

    public sealed record ChangeAccepted(string Status, string NewEmail, DateTimeOffset ExpiresAt);

    /// <param name="Code">The 6-digit code (signed in), or <paramref name="Token"/> from the link (no session needed).</param>
    public sealed record ConfirmRequest(string? Code, string? Token, string? Locale);

    public sealed record TokenRequest(string? Token, string? Locale);

    public sealed record AddressResponse(string Email);

    /// <param name="PasswordResetSent">The password was made unusable; true when a link to choose a new one went to <paramref name="Email"/>.</param>
    public sealed record UndoResponse(string Email, bool Restored, bool PasswordResetSent);

    public static IEndpointRouteBuilder MapEmailChange(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/account/email").WithTags("Address change");
        api.MapPost("/", RequestAsync).RequireCsrfHeader().WithSessionCookie().RequireRateLimiting(RateLimits.Login)
            .WithSummary("Ask to move the signed-in account to a new address (password re-entered)")
            .WithDescription("202 and the same body, in the same time, whether or not the new address already has an account: a free " +
                "address gets a link and a 6-digit code, a taken one gets nothing and its owner is told instead. The old address stays " +
                "in force until the change is confirmed; a newer request voids older ones. A wrong password is a 400 on `password` and " +
                "counts toward the login lock (then 429 with Retry-After). While a confirmed change can still be undone from the old " +
                "address, a new request is a 409 on `new_email` naming when the undo link runs out. Needs `X-CSRF: 1`.")
            .WithRequestBody<ChangeRequest>("application/json")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithExample(new ChangeRequest("hanako.new@example.com", "example-password-only", "en"),
                new ChangeAccepted(Accepted, "hanako.new@example.com", new DateTimeOffset(2026, 11, 29, 9, 0, 0, TimeSpan.Zero)), StatusCodes.Status202Accepted)
            .WithExample(response: ApiDocs.Problem(StatusCodes.Status400BadRequest, "Invalid address change",
                errors: new Dictionary<string, string[]> { ["password"] = [EmailChangeTexts.Get("password.wrong", "en")] }), status: StatusCodes.Status400BadRequest);
        api.MapPost("/confirm/", ConfirmAsync).RequireCsrfHeader().RequireRateLimiting(RateLimits.Login)
            .WithSummary("Confirm the new address with the emailed code (signed in) or the link's token")
            .WithDescription("200 with the account's new address; the old address is mailed an undo link. 400 on `code` (wrong, " +
                $"dead after {new AccountOptions().MaxCodeAttempts} wrong tries or expired) or `token` (unknown, used or expired); 409 on " +
                "`new_email` when another account took the address meanwhile. A code needs the session cookie (401 without); a token " +
                "does not. Needs `X-CSRF: 1`.")
            .WithRequestBody<ConfirmRequest>("application/json")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status409Conflict)
            .WithExample(new ConfirmRequest("123456", null, "en"), new AddressResponse("hanako.new@example.com"))
            .WithExample(response: ApiDocs.Problem(StatusCodes.Status400BadRequest, "Invalid code",
                errors: new Dictionary<string, string[]> { ["code"] = [EmailChangeTexts.Get("code.wrong", "en")] }), status: StatusCodes.Status400BadRequest);
        api.MapPost("/undo/", UndoAsync).RequireCsrfHeader().RequireRateLimiting(RateLimits.Login)
            .WithSummary("Undo an address change with the link mailed to the old address")
            .WithDescription("Puts the old address back, ends every session and admin token of the account, voids pending changes and " +
                "reset links, and makes the password unusable: a link to choose a new one is mailed to the restored address " +
                "(`password_reset_sent`). Single use; works for the undo period after the change. `restored` is false only if the old " +
                "address could not be put back (the account is still signed out everywhere). 400 on `token`. Needs `X-CSRF: 1`.")
            .WithRequestBody<TokenRequest>("application/json").ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithExample(new TokenRequest("example-token-from-the-email", "en"), new UndoResponse("hanako@example.com", true, true))
            .WithExample(response: ApiDocs.Problem(StatusCodes.Status400BadRequest, "Unusable link",
                errors: new Dictionary<string, string[]> { ["token"] = [EmailChangeTexts.Get("token.used", "en")] }), status: StatusCodes.Status400BadRequest);
        return app;
    }

    internal static async Task<Results<Accepted<ChangeAccepted>, ValidationProblem, ProblemHttpResult>> RequestAsync(
        HttpContext http, Authenticator authenticator, AddressChanges changes, CancellationToken ct)
    {
        var user = await authenticator.CurrentUserAsync(http.Request.Cookies[SessionEndpoints.CookieName], ct);
        if (user is null)
        {
            return NotSignedIn();
        }

        var (request, malformed) = await Json.ReadAsync<ChangeRequest>(http.Request, ct);
        if (malformed)
        {
            return Problems.Malformed("Send {\"new_email\": …, \"password\": …} as application/json.");
        }

        var locale = Messages.LocaleOf(request?.Locale);
        var email = request?.NewEmail?.Trim() ?? "";
        var password = request?.Password ?? "";
        var errors = new Dictionary<string, string[]>();
        if (!FieldRules.IsEmail(email))
        {
            errors["new_email"] = [Messages.Get(email.Length == 0 ? "email.required" : "email.invalid", locale)];
        }

        if (password.Length is 0 or > FieldRules.PasswordMax)
        {
            errors["password"] = [Messages.Get("password.required", locale)];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid address change");
        }

        var outcome = await changes.RequestAsync(http, user, email, password, locale, ct);
        return outcome.Result switch
        {
            ChangeResult.Done => TypedResults.Accepted((string?)null, new ChangeAccepted(Accepted, email, outcome.ExpiresAt!.Value)),
            ChangeResult.Busy => Problems.Busy(http, outcome.Wait),
            ChangeResult.Locked or ChangeResult.TooMany => TooMany(http, outcome, locale),
            ChangeResult.SignedOut => NotSignedIn(),
            ChangeResult.UndoOpen => UndoOpen(outcome.ExpiresAt!.Value, locale),
            _ => TypedResults.ValidationProblem(EmailChangeTexts.Field(outcome.Field!, outcome.Key!, locale), title: "Invalid address change"),
        };
    }

    internal static async Task<Results<Ok<AddressResponse>, ValidationProblem, ProblemHttpResult>> ConfirmAsync(
        HttpContext http, Authenticator authenticator, AddressChanges changes, CancellationToken ct)
    {
        var (request, malformed) = await Json.ReadAsync<ConfirmRequest>(http.Request, ct);
        if (malformed)
        {
            return Problems.Malformed("Send {\"code\": …} (signed in) or {\"token\": …} as application/json.");
        }

        var locale = Messages.LocaleOf(request?.Locale);
        ChangeOutcome outcome;
        if (request?.Token is { } token)
        {
            outcome = await changes.ConfirmTokenAsync(token, ct);
        }
        else
        {
            var user = await authenticator.CurrentUserAsync(http.Request.Cookies[SessionEndpoints.CookieName], ct);
            if (user is null)
            {
                return NotSignedIn();
            }

            outcome = await changes.ConfirmCodeAsync(user.Id, request?.Code, ct);
        }

        return outcome.Result switch
        {
            ChangeResult.Done => TypedResults.Ok(new AddressResponse(outcome.Email!)),
            ChangeResult.Taken => TypedResults.Problem(new HttpValidationProblemDetails(EmailChangeTexts.Field("new_email", "new_email.taken", locale))
            {
                Status = StatusCodes.Status409Conflict,
                Title = "Address taken",
                Detail = EmailChangeTexts.Get("new_email.taken", locale),
            }),
            _ => TypedResults.ValidationProblem(EmailChangeTexts.Field(outcome.Field!, outcome.Key!, locale),
                title: outcome.Field == "token" ? "Unusable link" : "Invalid code"),
        };
    }

    internal static async Task<Results<Ok<UndoResponse>, ValidationProblem, ProblemHttpResult>> UndoAsync(
        HttpContext http, AddressChanges changes, CancellationToken ct)
    {
        var (request, malformed) = await Json.ReadAsync<TokenRequest>(http.Request, ct);
        if (malformed)
        {
            return Problems.Malformed("Send {\"token\": …} as application/json.");
        }

        var locale = Messages.LocaleOf(request?.Locale);
        var outcome = await changes.UndoAsync(request?.Token, ct);
        if (outcome.Result != ChangeResult.Done)
        {
            return TypedResults.ValidationProblem(EmailChangeTexts.Field(outcome.Field!, outcome.Key!, locale), title: "Unusable link");
        }

        // This browser's session ended with all the others.
        http.Response.Cookies.Delete(SessionEndpoints.CookieName, new CookieOptions { Path = "/" });
        return TypedResults.Ok(new UndoResponse(outcome.Email!, outcome.Restored, outcome.PasswordResetSent));
    }

    private static ProblemHttpResult UndoOpen(DateTimeOffset until, string locale)
    {
        var message = EmailChangeTexts.UndoOpen(until, locale);
        return TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["new_email"] = [message] })
        {
            Status = StatusCodes.Status409Conflict,
            Title = "An earlier change can still be undone",
            Detail = message,
        });
    }

    private static ProblemHttpResult NotSignedIn() =>
        TypedResults.Problem("Log in first.", statusCode: StatusCodes.Status401Unauthorized, title: "Not signed in");

    private static ProblemHttpResult TooMany(HttpContext http, ChangeOutcome outcome, string locale)
    {
        var seconds = Math.Max(60, (int)Math.Ceiling(outcome.Wait.TotalMinutes) * 60);
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(EmailChangeTexts.Get(outcome.Result == ChangeResult.Locked ? "locked" : "too_many", locale),
            statusCode: StatusCodes.Status429TooManyRequests, title: "Too many attempts");
    }
}
