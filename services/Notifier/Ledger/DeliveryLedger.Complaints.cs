using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;

namespace SalesMind.Notifier.Ledger;

/// <summary>A complaint about one delivery, as its feedback report (ARF) gave it.</summary>
/// <param name="FeedbackType">Lower case, <c>abuse</c> or <c>fraud</c>.</param>
/// <param name="Reporter">The report's User-Agent: who passed the complaint on (e.g. <c>Yahoo!-Mail-Feedback/2.0</c>).</param>
public sealed record Complaint(string FeedbackType, string? Reporter);

public sealed partial class DeliveryLedger
{
    // A meter of its own (same name): the order of static fields across partial files is not defined.
    private static readonly Counter<long> Complaints = new Meter(MeterName).CreateCounter<long>(
        "salesmind.delivery.complaints", description: "Complaints (feedback-loop reports) that marked a delivery complained, by feedback type");

    /// <summary>
    /// Records a complaint about a delivery that was handed over: the report is kept, the delivery
    /// becomes <see cref="DeliveryStatus.Complained"/> (with its event and metric), and its address
    /// is suppressed for <c>Bounces:ComplaintSuppressFor</c>. A second complaint about the same
    /// delivery (the report resent, or reported twice) changes nothing and adds nothing. The caller
    /// decides which delivery a complaint is about from what outsiders cannot forge
    /// (see <c>ComplaintRules</c>), never from its contents alone.
    /// </summary>
    public async Task<FateOutcome> ApplyComplaintAsync(Guid deliveryId, Complaint complaint, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var delivery = (await db.Deliveries.FromSql($"SELECT * FROM deliveries WHERE id = {deliveryId} FOR UPDATE").ToListAsync(ct)).SingleOrDefault();
        if (delivery is null)
        {
            return FateOutcome.Unknown;
        }

        if (delivery.Status is DeliveryStatus.Queued or DeliveryStatus.Sending || delivery.QueueId is null)
        {
            // Not handed over (yet, or ever): the caller tells the two apart.
            return FateOutcome.TooEarly;
        }

        // Under the row lock: two copies arriving at once cannot both pass.
        if (await db.DeliveryReports.AnyAsync(r => r.DeliveryId == deliveryId && r.Source == ReportSources.Arf && r.Action == ReportActions.Complained, ct))
        {
            return FateOutcome.Unchanged;
        }

        var diagnostic = Trim(complaint.Reporter is { Length: > 0 } reporter
            ? $"{complaint.FeedbackType} report from {reporter}: the recipient reported it as spam"
            : $"{complaint.FeedbackType} report: the recipient reported it as spam", 1000);
        db.DeliveryReports.Add(new DeliveryReport
        {
            DeliveryId = delivery.Id,
            ReceivedAt = now,
            Source = ReportSources.Arf,
            Action = ReportActions.Complained,
            Diagnostic = diagnostic,
        });
        var change = delivery.MarkComplained(diagnostic, now);
        if (change is not null)
        {
            Stage(change);
            if (bounces.Value.ComplaintSuppressFor > TimeSpan.Zero)
            {
                await SuppressAfterComplaintAsync(delivery, now, ct);
            }
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        if (change is null)
        {
            return FateOutcome.Unchanged;
        }

        Reports.Add(1, new("source", ReportSources.Arf), new("status", change.To.Name()));
        Complaints.Add(1, new KeyValuePair<string, object?>("feedback_type", complaint.FeedbackType));
        Count(change);
        LogComplained(delivery.Id, delivery.Template, complaint.FeedbackType, complaint.Reporter);
        return FateOutcome.Changed;
    }

    private async Task SuppressAfterComplaintAsync(Delivery delivery, DateTimeOffset now, CancellationToken ct)
    {
        var address = delivery.Recipient.ToLowerInvariant();
        var until = now + bounces.Value.ComplaintSuppressFor;
        var existing = await db.Suppressions.FirstOrDefaultAsync(s => s.Address == address, ct);
        if (existing is null)
        {
            existing = new Suppression { Address = address, Reason = Suppression.ComplaintReason };
            db.Suppressions.Add(existing);
        }
        else if (existing.LiftedAt is null && existing.ExpiresAt >= until)
        {
            // Already suppressed for longer: a complaint never shortens a suppression.
            return;
        }

        existing.Reason = Suppression.ComplaintReason;
        existing.DeliveryId = delivery.Id;
        existing.CreatedAt = now;
        existing.ExpiresAt = until;
        existing.LiftedAt = null;
        existing.LiftedBy = null;
        LogSuppressedAfterComplaint(delivery.Id, until);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} ({Template}) is complained: {FeedbackType} report from {Reporter}")]
    private partial void LogComplained(Guid deliveryId, string template, string feedbackType, string? reporter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The address of delivery {DeliveryId} complained: suppressed until {Until}")]
    private partial void LogSuppressedAfterComplaint(Guid deliveryId, DateTimeOffset until);
}
