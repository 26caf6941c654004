using Microsoft.AspNetCore.Http.HttpResults;
using SalesMind.Identity.Web;

namespace SalesMind.Identity.Sessions;

/// <summary>The signed-in owner's list of sessions (<see cref="AccountSessions"/>): see them, end one, end all others.</summary>
public static class AccountSessionEndpoints
{
    public sealed record SessionList(IReadOnlyList<SessionView> Sessions);

    public sealed record EndedOthers(int Ended);

    public static IEndpointRouteBuilder MapAccountSessions(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/account/sessions").WithTags("Account");
        var at = new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
        var id = Guid.Parse("0193f4a2-7c1e-7d40-9a51-3c2b1f0e9d88");
        var notFound = ApiDocs.Problem(StatusCodes.Status404NotFound, "No such session", "This session has already ended.");
        api.MapGet("/", ListAsync).WithSessionCookie()
            .WithSummary("The signed-in account's sessions: device, address, since and last seen; `current` marks this one")
            .WithDescription("Each session's `id` names the row, not the cookie: it cannot be used to sign in. `device` is read from the " +
                "browser's User-Agent at login (browser and system, no versions; empty when unknown); `client_address` is the address " +
                "the login came from. This session first, then the most recently seen (updated at most once a minute).")
            .WithExample(response: new SessionList([
                new SessionView(id, "Chrome", "Windows", "Chrome on Windows", "203.0.113.7", at, at.AddHours(2), true),
                new SessionView(Guid.Parse("0193f4a1-0000-7000-8000-0000000000b2"), "Safari", "iOS", "Safari on iOS", "198.51.100.23", at.AddDays(-3), at.AddDays(-1), false),
            ]));
        api.MapDelete("/{id:guid}", EndAsync).RequireCsrfHeader().WithSessionCookie()
            .WithSummary("End one of the signed-in account's sessions (that browser is signed out)")
            .WithDescription("204, or 404 when the account has no such session: another account's session id gets the same 404 as an " +
                "unknown one. Ending this very session also clears its cookie. Needs `X-CSRF: 1`.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .WithParameterExample("id", id)
            .WithExample(response: notFound, status: StatusCodes.Status404NotFound);
        api.MapPost("/end-others/", EndOthersAsync).RequireCsrfHeader().WithSessionCookie()
            .WithSummary("Sign out everywhere else: end every session of the account but this one")
            .WithDescription("Answers how many were ended. Needs `X-CSRF: 1`.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .WithExample(response: new EndedOthers(2));
        return app;
    }

    internal static async Task<Results<Ok<SessionList>, ProblemHttpResult>> ListAsync(
        HttpContext http, Authenticator authenticator, AccountSessions sessions, CancellationToken ct)
    {
        if (await authenticator.SignedInAsync(http, ct) is not { } me)
        {
            return AccountAnswers.NotSignedIn(AccountAnswers.Locale(http.Request, null));
        }

        return TypedResults.Ok(new SessionList(await sessions.ListAsync(me, ct)));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> EndAsync(
        Guid id, HttpContext http, Authenticator authenticator, AccountSessions sessions, CancellationToken ct)
    {
        if (await authenticator.SignedInAsync(http, ct) is not { } me)
        {
            return AccountAnswers.NotSignedIn(AccountAnswers.Locale(http.Request, null));
        }

        if (!await sessions.EndAsync(me, id, ct))
        {
            var locale = AccountAnswers.Locale(http.Request, me.User.Profile?.Locale);
            return TypedResults.Problem(Messages.Pick(locale, "このセッションはすでに終了しています。", "This session has already ended."),
                statusCode: StatusCodes.Status404NotFound, title: "No such session");
        }

        if (id == me.Session.Id)
        {
            http.Response.Cookies.Delete(SessionEndpoints.CookieName, new CookieOptions { Path = "/" });
        }

        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<EndedOthers>, ProblemHttpResult>> EndOthersAsync(
        HttpContext http, Authenticator authenticator, AccountSessions sessions, CancellationToken ct)
    {
        if (await authenticator.SignedInAsync(http, ct) is not { } me)
        {
            return AccountAnswers.NotSignedIn(AccountAnswers.Locale(http.Request, null));
        }

        return TypedResults.Ok(new EndedOthers(await sessions.EndOthersAsync(me, ct)));
    }
}
