using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Intake;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Admin;

/// <summary>Test send: a rendering mailed to an admin through the same dispatcher and mail server as every email, limited per admin and hour.</summary>
public static partial class TemplateEndpoints
{
    internal static async Task<Results<Accepted<TestSendResponse>, ValidationProblem, ProblemHttpResult>> TestSendAsync(
        string key, TestSendRequest? request, HttpContext http, NotifierDb db, TemplateStore store, DeliveryQueue queue, ClaimsPrincipal admin,
        IOptions<TestSendOptions> limits, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        var to = request?.To?.Trim() ?? "";
        if (!IsBareAddress(to))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["to"] = ["to must be one email address, like someone@example.com."] });
        }

        // The admin's own address, when the token names it.
        var own = admin.FindFirst("email")?.Value;
        if (!limits.Value.Allows(to, own))
        {
            var domains = limits.Value.TestSendAllowedDomains;
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["to"] = [$"Test sends go only to {(own is null ? "" : $"your own address ({own}) or ")}" +
                    (domains.Count == 0 ? "no other address (Notifier:TestSendAllowedDomains is empty)." : $"addresses in {string.Join(", ", domains)} (Notifier:TestSendAllowedDomains).")],
            });
        }

        var actor = AuditLog.ActorOf(admin);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // One admin's test sends are counted and recorded one at a time (a lock per admin, for this
        // transaction), so a burst of parallel requests cannot all pass the same count.
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({"test-send:" + actor}, 0))", ct);
        var now = time.GetUtcNow();
        var windowStart = now - TimeSpan.FromHours(1);
        var recent = await db.AuditEntries.AsNoTracking()
            .Where(a => a.Actor == actor && a.Action == TestSentAction && a.At > windowStart)
            .OrderBy(a => a.At).Select(a => a.At).Take(limits.Value.TestSendsPerHour).ToListAsync(ct);
        if (recent.Count >= limits.Value.TestSendsPerHour)
        {
            var retryAfter = Math.Max(1, (int)Math.Ceiling((recent[0] + TimeSpan.FromHours(1) - now).TotalSeconds));
            http.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(
                $"You have made {limits.Value.TestSendsPerHour} test sends in the last hour (Notifier:TestSendsPerHour); try again in {retryAfter} s.",
                statusCode: StatusCodes.Status429TooManyRequests, title: "Too many test sends");
        }

        var (rendering, failure) = await RenderRequestAsync(key, request?.Locale, request?.Version, request?.Draft, request?.Data, db, store, ct);
        if (failure is not null)
        {
            return Failed<Accepted<TestSendResponse>>(failure);
        }

        var (result, locale, version) = rendering!.Value;
        AuditLog.Add(db, admin, now, TestSentAction, $"template:{key}/{locale}", null, new { To = to, Version = version, Draft = request?.Draft is not null });
        var id = await queue.QueueTestAsync(key, locale, to, result, ct);
        await tx.CommitAsync(ct);
        queue.Wake();
        LogTestSend(loggers.CreateLogger("SalesMind.Notifier.Templates"), key, locale, id, AuditLog.ActorOf(admin));
        // Where the delivery can be followed, as the caller reaches this service (behind nginx: /notifier/api/…).
        var statusUrl = $"{http.Request.PathBase}/api/admin/deliveries/{id}";
        return TypedResults.Accepted(statusUrl, new TestSendResponse(id, DeliveryStatus.Queued.Name(), statusUrl));
    }

    /// <summary>An address alone, as SMTP takes it: "a@b.example", not "Name &lt;a@b.example&gt;".</summary>
    public static bool IsBareAddress(string value) =>
        value.Length is > 2 and <= 254
        && MailboxAddress.TryParse(value, out var parsed)
        && string.Equals(parsed.Address, value, StringComparison.OrdinalIgnoreCase)
        && value.IndexOf('@') is > 0 and var at && value.IndexOf('.', at) > at + 1 && !value.EndsWith('.');

    [LoggerMessage(Level = LogLevel.Information, Message = "Test send of {Template}/{Locale} queued as delivery {DeliveryId} by {Actor}")]
    private static partial void LogTestSend(ILogger logger, string template, string locale, Guid deliveryId, string actor);
}
