using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesMind.Contracts;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Smtp;
using SalesMind.Outbox;

namespace SalesMind.Notifier.Deliveries;

/// <summary>One piece of news about a delivery after the hand-off.</summary>
/// <param name="Source"><c>dsn</c> or <c>log</c>.</param>
/// <param name="Action">RFC 3464's action: <c>failed</c>, <c>delayed</c>, <c>delivered</c>, <c>relayed</c>, <c>expanded</c>.</param>
/// <param name="Status">The enhanced status code, e.g. <c>5.1.1</c>.</param>
public sealed record FateReport(string Source, string Action, string? Status, string? Diagnostic, string? RemoteMta);

/// <summary>What became of a report.</summary>
public enum FateOutcome
{
    /// <summary>Recorded; the delivery's status changed.</summary>
    Changed,

    /// <summary>Recorded; the delivery already knew as much (or more).</summary>
    Unchanged,

    /// <summary>The delivery is still being handed over: ask again later.</summary>
    TooEarly,

    /// <summary>No such delivery.</summary>
    Unknown,
}

/// <summary>
/// Applies what is learned after the hand-off (delivery status notifications, the mail log) to
/// the delivery ledger: the report is kept, the status moves forward when the report says more
/// than is known, and every change is written with its <see cref="EmailDeliveryStatusChanged"/>
/// event in the same transaction. A hard bounce suppresses the address. Reports may come twice
/// and from two sources; applying one again changes nothing. Callers decide which delivery a
/// report is about from what outsiders cannot forge (a signed return path, a log line's own
/// queue id), never from a report's contents alone.
/// </summary>
public sealed partial class DeliveryFates(NotifierDb db, IOptions<BounceOptions> bounces, TimeProvider time, ILogger<DeliveryFates> logger)
{
    private static readonly Meter Meter = new(Dispatcher.MeterName);
    private static readonly Counter<long> Reports = Meter.CreateCounter<long>(
        "salesmind.delivery.reports", description: "Reports about deliveries after the hand-off, by source and resulting status");

    public async Task<FateOutcome> ApplyAsync(Guid deliveryId, FateReport report, CancellationToken ct) =>
        (await ApplyAsync([(deliveryId, report)], ct))[0];

    /// <summary>
    /// Applies several reports in one transaction (the mail log yields them in batches), in
    /// order; returns each one's outcome.
    /// </summary>
    public async Task<List<FateOutcome>> ApplyAsync(IReadOnlyList<(Guid DeliveryId, FateReport Report)> reports, CancellationToken ct)
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
        var changed = new List<(Delivery Delivery, DeliveryStatus Status, string Source, string? Diagnostic)>();
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

            var next = Next(delivery.Status, report.Action);
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
            if (next is null)
            {
                outcomes.Add(FateOutcome.Unchanged);
                continue;
            }

            delivery.Status = next.Value;
            delivery.UpdatedAt = now;
            var diagnostic = Describe(report);
            if (next is DeliveryStatus.Delivered or DeliveryStatus.Bounced)
            {
                delivery.FinalAt = now;
            }

            delivery.LastError = next == DeliveryStatus.Delivered ? null : diagnostic;
            db.AddOutboxMessage(new EmailDeliveryStatusChanged(
                delivery.Id, delivery.SourceMessageId, delivery.Template, delivery.Recipient,
                next.Value.ToString().ToLowerInvariant(), delivery.LastError, delivery.Attempts, now), now);
            if (next == DeliveryStatus.Bounced && report.Status?.StartsWith('5') == true && bounces.Value.SuppressFor > TimeSpan.Zero)
            {
                await SuppressAsync(delivery, diagnostic ?? "hard bounce", now, ct);
            }

            changed.Add((delivery, next.Value, report.Source, diagnostic));
            outcomes.Add(FateOutcome.Changed);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        foreach (var (delivery, status, source, diagnostic) in changed)
        {
            Reports.Add(1, new("source", source), new("status", status.ToString().ToLowerInvariant()));
            Dispatcher.StatusChanges.Add(1, new KeyValuePair<string, object?>("status", status.ToString().ToLowerInvariant()));
            LogFate(delivery.Id, delivery.Template, status, source, diagnostic);
        }

        return outcomes;
    }

    /// <summary>
    /// The status a report moves a delivery to, or null when it says nothing new. Final fates
    /// (delivered, bounced) are not undone by a late delay; a bounce after "delivered" (a relay
    /// that accepted and then gave up) is the truer news and wins.
    /// </summary>
    internal static DeliveryStatus? Next(DeliveryStatus current, string action) => action.ToLowerInvariant() switch
    {
        "failed" when current is DeliveryStatus.Sent or DeliveryStatus.Deferred or DeliveryStatus.Delivered => DeliveryStatus.Bounced,
        "delayed" when current is DeliveryStatus.Sent => DeliveryStatus.Deferred,
        "delivered" or "relayed" or "expanded" when current is DeliveryStatus.Sent or DeliveryStatus.Deferred => DeliveryStatus.Delivered,
        _ => null,
    };

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery {DeliveryId} ({Template}) is {Status} (from the {Source}): {Diagnostic}")]
    private partial void LogFate(Guid deliveryId, string template, DeliveryStatus status, string source, string? diagnostic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The address of delivery {DeliveryId} bounced hard: suppressed until {Until}")]
    private partial void LogSuppressed(Guid deliveryId, DateTimeOffset until);
}
