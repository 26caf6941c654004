using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Outcomes;

/// <summary>A feedback-loop report as it arrived over SMTP.</summary>
/// <param name="Recipients">RCPT TO addresses (only those at the bounce domain get this far).</param>
public sealed record ReceivedComplaint(string? Sender, string? RemoteAddress, IReadOnlyList<string> Recipients, ArfReport Report);

/// <summary>
/// Decides which delivery, if any, a complaint may mark <c>complained</c> (and so suppress its
/// address for years): only the one its signed return path or Message-ID names, when every other
/// reference in it names the same one and every recipient it names is that delivery's
/// (<see cref="ComplaintRules"/>). Everything else is kept as a <see cref="RejectedReport"/> and
/// counted; the answer to the sender is the same either way.
/// </summary>
public sealed partial class ComplaintIntake(
    NotifierDb db, DeliveryLedger ledger, IOptions<BounceOptions> bounces, IOptions<MailOptions> mail, TimeProvider time,
    ILogger<ComplaintIntake> logger)
{
    public async Task<IntakeOutcome> ReceiveAsync(ReceivedComplaint received, CancellationToken ct)
    {
        var report = received.Report;
        var (target, rejection) = ComplaintRules.Identify(report, received.Recipients, bounces.Value, mail.Value.MessageIdDomain);
        if (target is null)
        {
            await RejectAsync(received, null, rejection!.Value, ct);
            return IntakeOutcome.Done;
        }

        var delivery = await db.Deliveries.AsNoTracking().Where(d => d.Id == target.DeliveryId)
            .Select(d => new DeliveryFacts(d.Id, d.QueueId, d.Recipient, d.Status)).FirstOrDefaultAsync(ct);
        if (delivery is null)
        {
            await RejectAsync(received, target.DeliveryId, (ReportRejection.UnknownDelivery, "no such delivery"), ct);
            return IntakeOutcome.Done;
        }

        if (delivery.QueueId is null || !(Delivery.Complainable.Contains(delivery.Status) || delivery.Status == DeliveryStatus.Complained))
        {
            return await NotHandedOverAsync(received, delivery, target, ct);
        }

        if (ComplaintRules.Disagreement(delivery, report) is { } disagreement)
        {
            await RejectAsync(received, target.DeliveryId, disagreement, ct);
            return IntakeOutcome.Done;
        }

        var outcome = await ledger.ApplyComplaintAsync(delivery.Id, new Complaint(report.FeedbackType, report.UserAgent), ct);
        return outcome switch
        {
            FateOutcome.TooEarly => await NotHandedOverAsync(received, delivery, target, ct),
            // Deleted in between (an erased account): as if it had never existed.
            FateOutcome.Unknown => await RejectAsync(received, target.DeliveryId, (ReportRejection.UnknownDelivery, "no such delivery"), ct),
            _ => IntakeOutcome.Done,
        };
    }

    /// <summary>
    /// A delivery not (yet) handed over. Only a signed return path may get "try again later"
    /// (the complaint overtook the dispatcher's record of the hand-off): a Message-ID alone
    /// is not secret enough to learn from the answer whether a delivery exists.
    /// </summary>
    private async Task<IntakeOutcome> NotHandedOverAsync(ReceivedComplaint received, DeliveryFacts delivery, ComplaintTarget target, CancellationToken ct)
    {
        if (target.Signed && delivery.Status is DeliveryStatus.Queued or DeliveryStatus.Sending or DeliveryStatus.Deferred)
        {
            return IntakeOutcome.TooEarly;
        }

        return await RejectAsync(received, delivery.Id, (ReportRejection.NotHandedOver, "the delivery was never handed to the mail server"), ct);
    }

    private async Task<IntakeOutcome> RejectAsync(ReceivedComplaint received, Guid? deliveryId, (ReportRejection Reason, string Detail) rejection, CancellationToken ct)
    {
        var report = received.Report;
        var claimed = report.OriginalRcptTo.Concat(report.Recipients).ToList();
        db.RejectedReports.Add(new RejectedReport
        {
            ReceivedAt = time.GetUtcNow(),
            Reason = rejection.Reason,
            Detail = Trim($"complaint ({Trim(report.FeedbackType, 20) ?? "no feedback type"}): {rejection.Detail}", 500)!,
            ReturnPath = Trim(received.Recipients.FirstOrDefault(), 320) ?? "",
            DeliveryId = deliveryId,
            Sender = Trim(received.Sender, 320),
            RemoteAddress = Trim(received.RemoteAddress, 64),
            FinalRecipient = Trim(claimed.FirstOrDefault(), 320),
            Action = Trim(report.FeedbackType, 20),
            Entries = claimed.Count,
        });
        await db.SaveChangesAsync(ct);
        ReportRejections.Count(rejection.Reason, ReportSources.Arf);
        LogRejected(rejection.Reason, deliveryId, received.RemoteAddress);
        return IntakeOutcome.Done;
    }

    /// <summary>At most <paramref name="max"/> characters, without control characters (a NUL cannot be stored).</summary>
    private static string? Trim(string? value, int max)
    {
        if (value is { Length: > 0 } v && v.Any(char.IsControl))
        {
            value = new string(v.Where(c => !char.IsControl(c)).ToArray());
        }

        return value is { Length: > 0 } w ? (w.Length > max ? w[..max] : w) : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A complaint was rejected ({Reason}; delivery {DeliveryId}; from {RemoteAddress}): it changed nothing")]
    private partial void LogRejected(ReportRejection reason, Guid? deliveryId, string? remoteAddress);
}
