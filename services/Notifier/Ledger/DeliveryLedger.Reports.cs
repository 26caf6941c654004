using Microsoft.EntityFrameworkCore;

namespace SalesMind.Notifier.Ledger;

public sealed partial class DeliveryLedger
{
    /// <summary>
    /// Applies several reports in one transaction (the mail log yields them in batches), in
    /// order; returns each one's outcome. The report is kept, the status moves forward when the
    /// report says more than is known, a failed or delayed report is classified (report and
    /// delivery, see <see cref="FailureClassifier"/>), and the class decides whether the address is
    /// suppressed (<see cref="FailurePolicy"/>). Reports may come
    /// twice and from two sources; applying one again changes nothing. Callers decide which
    /// delivery a report is about from what outsiders cannot forge (a signed return path, a log
    /// line's own queue id), never from a report's contents alone.
    /// </summary>
    public async Task<List<FateOutcome>> ApplyReportsAsync(IReadOnlyList<(Guid DeliveryId, FateReport Report)> reports, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var ids = reports.Select(r => r.DeliveryId).Distinct().ToArray();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Locked in id order, so two instances applying overlapping batches cannot deadlock.
        var deliveries = await db.Deliveries
            .FromSql($"SELECT * FROM deliveries WHERE id = ANY({ids}) ORDER BY id FOR UPDATE")
            .ToDictionaryAsync(d => d.Id, ct);
        var known = await db.DeliveryReports.AsNoTracking()
            .Where(r => ids.Contains(r.DeliveryId))
            .Select(r => new { r.DeliveryId, r.Source, r.Action, r.Status })
            .ToListAsync(ct);
        var outcomes = new List<FateOutcome>(reports.Count);
        var changed = new List<(StatusChange Change, string Source, string? Diagnostic)>();
        foreach (var (deliveryId, report) in reports)
        {
            if (!deliveries.TryGetValue(deliveryId, out var delivery))
            {
                outcomes.Add(FateOutcome.Unknown);
                continue;
            }

            if (delivery.Status is DeliveryStatus.Queued or DeliveryStatus.Sending || delivery.QueueId is null)
            {
                // The report overtook the dispatcher's record of the hand-off; it is settled shortly.
                outcomes.Add(FateOutcome.TooEarly);
                continue;
            }

            var next = Delivery.StatusAfterReport(delivery.Status, report.Action);
            if (next is null && known.Any(r => r.DeliveryId == delivery.Id && r.Source == report.Source && r.Action == report.Action && r.Status == report.Status))
            {
                // The same news again (a report resent, the log read again after a restart).
                outcomes.Add(FateOutcome.Unchanged);
                continue;
            }

            known.Add(new { DeliveryId = delivery.Id, report.Source, report.Action, report.Status });
            var failureClass = ClassOf(report, delivery.FailureClass);
            db.DeliveryReports.Add(new DeliveryReport
            {
                DeliveryId = delivery.Id,
                ReceivedAt = now,
                Source = report.Source,
                Action = report.Action,
                Status = Trim(report.Status, 20),
                Diagnostic = Trim(report.Diagnostic, 1000),
                RemoteMta = Trim(report.RemoteMta, 255),
                FailureClass = failureClass,
            });
            var diagnostic = Describe(report);
            if (delivery.ApplyReport(report.Action, diagnostic, now, failureClass) is not { } change)
            {
                // Second news of the failure the delivery is in (the report after the log line, or
                // the other way round) may say more: an expiry says only that retries ran out, the
                // report then names the receiver's reason. The class follows; the status stays.
                if (failureClass is { } refined && refined != delivery.FailureClass && Confirms(report.Action, delivery.Status))
                {
                    delivery.FailureClass = refined;
                    await ApplyFailurePolicyAsync(delivery, diagnostic, now, ct);
                }

                outcomes.Add(FateOutcome.Unchanged);
                continue;
            }

            Stage(change);
            await ApplyFailurePolicyAsync(delivery, diagnostic, now, ct);

            changed.Add((change, report.Source, diagnostic));
            outcomes.Add(FateOutcome.Changed);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        foreach (var (change, source, diagnostic) in changed)
        {
            Reports.Add(1, new("source", source), new("status", change.To.Name()));
            Count(change);
            CountFailure(change);
            LogFate(change.Delivery.Id, change.Delivery.Template, change.To, source, diagnostic);
        }

        return outcomes;
    }

    /// <summary>A failed or delayed report's class (null for news of a delivery); an expiry keeps the class the delivery's deferrals had.</summary>
    private static FailureClass? ClassOf(FateReport report, FailureClass? earlier) =>
        report.Action.ToLowerInvariant() is ReportActions.Failed or ReportActions.Delayed
            ? FailureClassifier.ForReport(report.Status, report.Diagnostic, earlier)
            : null;

    /// <summary>Whether a report of <paramref name="action"/> is about the failure the delivery is in already.</summary>
    private static bool Confirms(string action, DeliveryStatus status) => action.ToLowerInvariant() switch
    {
        ReportActions.Failed => status == DeliveryStatus.Bounced,
        ReportActions.Delayed => status == DeliveryStatus.Deferred,
        _ => false,
    };

    /// <param name="why">For the log: "a hard bounce", "3 soft bounces within …".</param>
    private async Task SuppressAsync(Delivery delivery, string reason, string why, DateTimeOffset now, CancellationToken ct)
    {
        var address = delivery.Recipient.ToLowerInvariant();
        var existing = await db.Suppressions.FirstOrDefaultAsync(s => s.Address == address, ct);
        if (existing is null)
        {
            existing = new Suppression { Address = address, Reason = reason };
            db.Suppressions.Add(existing);
        }

        existing.Reason = Trim(reason, 1000)!;
        existing.DeliveryId = delivery.Id;
        existing.CreatedAt = now;
        existing.ExpiresAt = now + bounces.Value.SuppressFor;
        existing.LiftedAt = null;
        existing.LiftedBy = null;
        LogSuppressed(delivery.Id, existing.ExpiresAt, why);
    }

    private static string? Describe(FateReport report) =>
        report.Diagnostic is { Length: > 0 } d ? (report.Status is { } s && !d.Contains(s, StringComparison.Ordinal) ? $"{s} {d}" : d) : report.Status;

    private static string? Trim(string? value, int max) => value is { Length: > 0 } v && v.Length > max ? v[..max] : value;
}
