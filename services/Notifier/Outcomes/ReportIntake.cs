using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.Outcomes;

/// <summary>A report as it arrived over SMTP: the envelope says who it is for.</summary>
/// <param name="Recipients">RCPT TO addresses (only those at the bounce domain get this far).</param>
public sealed record ReceivedReport(string? Sender, string? RemoteAddress, IReadOnlyList<string> Recipients, DsnReport Report);

/// <summary>What became of a received report, for the SMTP answer.</summary>
public enum IntakeOutcome
{
    /// <summary>Applied, or recorded as rejected: answer 250.</summary>
    Done,

    /// <summary>Its delivery is still being handed over: answer 451, the mail server sends it again.</summary>
    TooEarly,
}

/// <summary>
/// Decides which delivery, if any, a report may change: only the one its signed return path (the
/// RCPT TO) names, and only when what the report says agrees with that delivery
/// (<see cref="ReportRules"/>). One report changes at most one delivery. Everything else is kept
/// as a <see cref="RejectedReport"/> and counted; the answer to the sender is the same either
/// way, so a report cannot be used to learn whether a delivery exists.
/// </summary>
public sealed partial class ReportIntake(
    NotifierDb db, DeliveryLedger ledger, IOptions<BounceOptions> bounces, TimeProvider time, ILogger<ReportIntake> logger)
{
    /// <summary>Recipients of one message looked at; the rest are recorded as one rejection.</summary>
    public const int MaxRecipients = 20;

    public async Task<IntakeOutcome> ReceiveAsync(ReceivedReport received, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var report = received.Report;
        var first = report.Entries.FirstOrDefault();
        var rejections = new List<RejectedReport>();
        void Reject(string returnPath, Guid? deliveryId, ReportRejection reason, string detail) => rejections.Add(new RejectedReport
        {
            ReceivedAt = now,
            Reason = reason,
            Detail = Trim(detail, 500)!,
            ReturnPath = Trim(returnPath, 320)!,
            DeliveryId = deliveryId,
            Sender = Trim(received.Sender, 320),
            RemoteAddress = Trim(received.RemoteAddress, 64),
            EnvelopeId = Trim(report.EnvelopeId, 100),
            QueueId = Trim(report.QueueId, 64),
            FinalRecipient = Trim(first?.FinalRecipient, 320),
            Action = Trim(first?.Action, 20),
            Status = Trim(first?.Status, 20),
            Entries = report.Entries.Count,
        });

        var recipients = received.Recipients.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        Guid? applied = null;
        foreach (var returnPath in recipients.Take(MaxRecipients))
        {
            switch (bounces.Value.Check(returnPath, out var deliveryId))
            {
                case ReturnPathCheck.NotOurs:
                    // The listener takes mail for the bounce domain only; nothing to learn here.
                    continue;
                case ReturnPathCheck.Unsigned:
                    Reject(returnPath, null, ReportRejection.Unsigned, "sent to an unsigned address: reports count only at a delivery's signed return path");
                    continue;
                case ReturnPathCheck.BadSignature:
                    Reject(returnPath, null, ReportRejection.BadSignature, "the return path's signature is not ours");
                    continue;
            }

            if (applied is { } other)
            {
                Reject(returnPath, deliveryId, ReportRejection.OneDeliveryPerReport, $"the same report was already applied to delivery {other}");
                continue;
            }

            var delivery = await db.Deliveries.AsNoTracking().Where(d => d.Id == deliveryId)
                .Select(d => new DeliveryFacts(d.Id, d.QueueId, d.Recipient, d.Status)).FirstOrDefaultAsync(ct);
            if (delivery is null)
            {
                Reject(returnPath, deliveryId, ReportRejection.UnknownDelivery, "no such delivery");
                continue;
            }

            if (delivery.QueueId is null)
            {
                if (delivery.Status is DeliveryStatus.Queued or DeliveryStatus.Sending or DeliveryStatus.Deferred)
                {
                    // The report overtook the dispatcher's record of the hand-off (its queue id is
                    // needed to check the report): settled shortly. Only a signed path gets here.
                    return IntakeOutcome.TooEarly;
                }

                // Failed, abandoned or suppressed before any hand-off: no server can report on it.
                Reject(returnPath, deliveryId, ReportRejection.NotHandedOver, "the delivery was never handed to the mail server");
                continue;
            }

            if (ReportRules.Disagreement(delivery, report) is { } disagreement)
            {
                Reject(returnPath, deliveryId, disagreement.Reason, disagreement.Detail);
                continue;
            }

            var outcomes = await ledger.ApplyReportsAsync(
                report.Entries.Select(e => (deliveryId, new FateReport(ReportSources.Dsn, e.Action, e.Status, e.Diagnostic, e.RemoteMta))).ToList(), ct);
            if (outcomes.Contains(FateOutcome.TooEarly))
            {
                return IntakeOutcome.TooEarly;
            }

            applied = deliveryId;
        }

        if (recipients.Count > MaxRecipients)
        {
            Reject(recipients[MaxRecipients], null, ReportRejection.TooManyRecipients,
                $"{recipients.Count - MaxRecipients} more recipients not looked at (at most {MaxRecipients} per message)");
        }

        if (rejections.Count > 0)
        {
            // Written after the report was applied (or not): a 451 above leaves nothing behind to be written twice.
            db.RejectedReports.AddRange(rejections);
            await db.SaveChangesAsync(ct);
            foreach (var rejection in rejections)
            {
                ReportRejections.Count(rejection.Reason, ReportSources.Dsn);
                LogRejected(rejection.Reason, rejection.DeliveryId, rejection.RemoteAddress);
            }
        }

        return IntakeOutcome.Done;
    }

    /// <summary>At most <paramref name="max"/> characters, without control characters (a NUL cannot be stored).</summary>
    private static string? Trim(string? value, int max)
    {
        if (value is { Length: > 0 } v && v.Any(char.IsControl))
        {
            value = new string(v.Where(c => !char.IsControl(c)).ToArray());
        }

        return value is { Length: > 0 } w && w.Length > max ? w[..max] : value;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A delivery report was rejected ({Reason}; delivery {DeliveryId}; from {RemoteAddress}): it changed nothing")]
    private partial void LogRejected(ReportRejection reason, Guid? deliveryId, string? remoteAddress);
}
