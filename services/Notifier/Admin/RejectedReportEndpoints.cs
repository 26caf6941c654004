using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Outcomes;

namespace SalesMind.Notifier.Admin;

/// <summary>The operators' view of delivery reports that changed nothing (forged, misaddressed or disagreeing).</summary>
public static class RejectedReportEndpoints
{
    public sealed record RejectedReportView(
        long Id, DateTimeOffset ReceivedAt, string Reason, string Detail, string ReturnPath, Guid? DeliveryId, string? Sender,
        string? RemoteAddress, string? EnvelopeId, string? QueueId, string? FinalRecipient, string? Action, string? Status, int Entries);

    public sealed record RejectedReportPage(List<RejectedReportView> Items, long? Next);

    public static RouteGroupBuilder MapRejectedReports(this RouteGroupBuilder admin)
    {
        var at = new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
        var example = new RejectedReportView(4711, at, "unsigned", "sent to an unsigned address: reports count only at a delivery's signed return path",
            "bounces@bounces.example.com", null, "mailer-daemon@attacker.example", "203.0.113.7:49152",
            "0193f4a2-9b3d-7e10-8c42-5d6e7f8a9b0c", "4jcHfL0mkpzm4Gb", "hanako@example.com", ReportActions.Failed, "5.1.1", 1);
        admin.MapGroup("/reports").WithTags("Deliveries").MapGet("/rejected", ListAsync)
            .WithSummary("Delivery reports that changed nothing, newest first: unsigned or wrongly signed return path, or contents naming another delivery")
            .WithDescription("`delivery` (only those whose signed return path named it), `reason` (e.g. `unsigned`, `bad_signature`, " +
                "`queue_id_mismatch`), `limit` (1–200, default 50); the next page with `after` = the previous page's `next`. " +
                "Complaints (feedback reports) are listed too: their `action` is the Feedback-Type (`abuse`, `not-spam`…).")
            .WithExample(response: new RejectedReportPage([example], 4711));
        return admin;
    }

    internal static async Task<Results<Ok<RejectedReportPage>, ValidationProblem>> ListAsync(
        NotifierDb db, Guid? delivery, string? reason, long? after, int? limit, CancellationToken ct)
    {
        var take = limit ?? 50;
        ReportRejection? wanted = null;
        var errors = new Dictionary<string, string[]>();
        if (take is < 1 or > 200)
        {
            errors["limit"] = ["limit must be between 1 and 200."];
        }

        if (!string.IsNullOrWhiteSpace(reason))
        {
            wanted = Enum.GetValues<ReportRejection>().Cast<ReportRejection?>().FirstOrDefault(r => r!.Value.Name() == reason.Trim().ToLowerInvariant());
            if (wanted is null)
            {
                errors["reason"] = [$"Unknown reason '{reason}': use {string.Join(", ", Enum.GetValues<ReportRejection>().Select(r => r.Name()))}."];
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var query = db.RejectedReports.AsNoTracking();
        if (delivery is { } id)
        {
            query = query.Where(r => r.DeliveryId == id);
        }

        if (wanted is { } w)
        {
            query = query.Where(r => r.Reason == w);
        }

        if (after is { } cursor)
        {
            query = query.Where(r => r.Id < cursor);
        }

        var rows = await query.OrderByDescending(r => r.Id).Take(take + 1).ToListAsync(ct);
        var items = rows.Take(take).Select(View).ToList();
        return TypedResults.Ok(new RejectedReportPage(items, rows.Count > take ? items[^1].Id : null));
    }

    internal static RejectedReportView View(RejectedReport r) => new(r.Id, r.ReceivedAt, r.Reason.Name(), r.Detail, r.ReturnPath, r.DeliveryId,
        r.Sender, r.RemoteAddress, r.EnvelopeId, r.QueueId, r.FinalRecipient, r.Action, r.Status, r.Entries);
}
