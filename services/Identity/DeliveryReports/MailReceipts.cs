using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SalesMind.Identity.AddressStates;
using SalesMind.Identity.Data;
using SalesMind.Identity.Security;
using SalesMind.Identity.Web;

namespace SalesMind.Identity.DeliveryReports;

/// <summary>
/// Tells the person who just signed up or asked for a new link when their address could not be
/// reached, so they can correct a typo instead of waiting for an email that will never come;
/// and, when the receiving provider refused our mail for reasons of its own (rate limits, policy,
/// SPF/DKIM/DMARC), that the fault is ours and the address is fine. Only the browser that made
/// the request holds the receipt, and the answer is only ever "nothing known against it",
/// "unreachable" or "delayed": it says nothing about whether an account exists.
/// </summary>
public static class MailReceipts
{
    public const string CookieName = "sm_mail";

    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    public sealed record EmailStatus(string State, string? Detail);

    /// <summary>No receipt (or an expired one): nothing to say.</summary>
    public const string UnknownState = "unknown";

    /// <summary>Nothing known against the email yet (or it arrived).</summary>
    public const string PendingState = "pending";

    /// <summary>The email will not arrive because of the address (or it is suppressed).</summary>
    public const string UnreachableState = "unreachable";

    /// <summary>
    /// The email will not arrive, but because the recipient's provider is not taking our mail
    /// right now (throttled or refused our authentication): the address is fine, a resend later may work.
    /// </summary>
    public const string DelayedState = "delayed";

    /// <summary>
    /// What the browser is told about an email with this <paramref name="status"/> and
    /// <paramref name="failureClass"/> (null for an email nothing is known about yet).
    /// </summary>
    public static string StateOf(string? status, string? failureClass) =>
        status is null || !DeliveryStatuses.Unreachable.Contains(status) ? PendingState
        // Suppressed was never sent: the address itself bounced hard before (or complained).
        : status != DeliveryStatuses.Suppressed && FailureClasses.IsSendersProblem(failureClass) ? DelayedState
        : UnreachableState;

    public static IEndpointRouteBuilder MapMailReceipts(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/auth/email-status/", StatusAsync).WithTags("Sign-up")
            .WithSummary("Whether the email this browser last asked for could not be delivered")
            .WithDescription($"Reads the receipt cookie `{CookieName}` set by sign-up and resend. `unknown` without a receipt, `pending` while " +
                "nothing is known against the address, `unreachable` (with the enhanced status code) when the mail server refused it because of " +
                "the address, `delayed` (with the enhanced status code) when the recipient's provider refused our mail for reasons of its own " +
                "(rate limits, policy blocks, SPF/DKIM/DMARC): the address is fine and a resend later may work. " +
                "Says nothing about whether an account exists.")
            .WithExample(response: new EmailStatus(UnreachableState, "5.1.1"));
        return app;
    }

    /// <summary>
    /// Gives this browser a receipt for the email asked for by <paramref name="sourceMessageId"/>
    /// (null when none was sent: the receipt then names nothing, and looks the same).
    /// </summary>
    public static async Task IssueAsync(HttpContext http, IdentityDb db, Guid? sourceMessageId, DateTimeOffset now, bool secure, CancellationToken ct)
    {
        var (token, hash) = OpaqueToken.Create();
        db.MailReceipts.Add(new MailReceipt { TokenHash = hash, SourceMessageId = sourceMessageId ?? Guid.NewGuid(), ExpiresAt = now + Lifetime });
        await db.SaveChangesAsync(ct);
        http.Response.Cookies.Append(CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = secure,
            Path = "/api/auth/",
            Expires = now + Lifetime,
        });
    }

    internal static async Task<Ok<EmailStatus>> StatusAsync(HttpContext http, IdentityDb db, TimeProvider time, CancellationToken ct)
    {
        if (!http.Request.Cookies.TryGetValue(CookieName, out var token) || !OpaqueToken.IsWellFormed(token))
        {
            return TypedResults.Ok(new EmailStatus(UnknownState, null));
        }

        var hash = OpaqueToken.Hash(token);
        var now = time.GetUtcNow();
        var state = await (
            from r in db.MailReceipts
            where r.TokenHash == hash && r.ExpiresAt > now
            join s in db.EmailMessageStates on r.SourceMessageId equals s.SourceMessageId
            select new { s.Status, s.Diagnostic, s.FailureClass }).FirstOrDefaultAsync(ct);
        var answer = StateOf(state?.Status, state?.FailureClass);
        return TypedResults.Ok(new EmailStatus(answer, answer == PendingState ? null : StatusCode(state?.Diagnostic)));
    }

    /// <summary>Only the enhanced status code (e.g. 5.1.1) of a diagnostic: the rest may quote other servers.</summary>
    private static string? StatusCode(string? diagnostic) =>
        diagnostic is null ? null : System.Text.RegularExpressions.Regex.Match(diagnostic, @"\b[245]\.\d{1,3}\.\d{1,3}\b") is { Success: true } m ? m.Value : null;
}
