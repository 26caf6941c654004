using Microsoft.EntityFrameworkCore;

namespace SalesMind.Notifier.Ledger;

public sealed partial class DeliveryLedger
{
    /// <summary>
    /// Applies several reports in one transaction (the mail log yields them in batches), in
    /// order; returns each one's outcome. The report is kept, the status moves forward when the
    /// report says more than is known, and a hard bounce suppresses the address. Reports may come
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
            db.DeliveryReports.Add(new DeliveryReport
            {
                DeliveryId = delivery.Id,
                ReceivedAt = now,
                Source = report.Source,
                Action = report.Action,
                Status = Trim(report.Status, 20),
                Diagnostic = Trim(report.Diagnostic, 1000),
                RemoteMta = Trim(report.RemoteMta, 255),
            });
            var diagnostic = Describe(report);
            if (delivery.ApplyReport(report.Action, diagnostic, now) is not { } change)
            {
                outcomes.Add(FateOutcome.Unchanged);
                continue;
            }

            Stage(change);
            if (change.To == DeliveryStatus.Bounced && report.Status?.StartsWith('5') == true && bounces.Value.SuppressFor > TimeSpan.Zero)
            {
                await SuppressAsync(delivery, diagnostic ?? "hard bounce", now, ct);
            }

            changed.Add((change, report.Source, diagnostic));
            outcomes.Add(FateOutcome.Changed);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        foreach (var (change, source, diagnostic) in changed)
        {
            Reports.Add(1, new("source", source), new("status", change.To.Name()));
            Count(change);
            LogFate(change.Delivery.Id, change.Delivery.Template, change.To, source, diagnostic);
        }

        return outcomes;
    }

    private async Task SuppressAsync(Delivery delivery, string reason, DateTimeOffset now, CancellationToken ct)
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
        LogSuppressed(delivery.Id, existing.ExpiresAt);
    }

    private static string? Describe(FateReport report) =>
        report.Diagnostic is { Length: > 0 } d ? (report.Status is { } s && !d.Contains(s, StringComparison.Ordinal) ? $"{s} {d}" : d) : report.Status;

    private static string? Trim(string? value, int max) => value is { Length: > 0 } v && v.Length > max ? v[..max] : value;
}
