using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.Outcomes;

/// <summary>
/// Follows the mail server's log (<c>Smtp:MailLogPath</c>) for the fate of each queued message:
/// <c>status=sent</c> confirms a local delivery (remote servers send no report on success), and
/// <c>bounced</c>, <c>deferred</c> and <c>expired</c> are a second source next to the delivery
/// status notifications. The log format is not a stable interface, so reports stay the first
/// source; anything read twice changes nothing.
/// </summary>
public sealed partial class MailLogFollower(
    IServiceScopeFactory scopes, PostfixMailLog reader, IOptions<MailLogOptions> mailLog, IOptions<BounceOptions> bounces, TimeProvider time, ILogger<MailLogFollower> logger)
    : BackgroundService
{
    /// <summary>How far back to read at start: lines written while this instance was down.</summary>
    private const long CatchUpBytes = 16L * 1024 * 1024;

    /// <summary>
    /// How long a line whose delivery is not yet recorded as handed over is retried. The gap
    /// between the mail server's log line and the dispatcher's record is milliseconds; a line
    /// still unknown after this belongs to another sender of the same mail server (and must not
    /// crowd out the lines that are ours).
    /// </summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>At most this many lines wait for their delivery's hand-off to be recorded.</summary>
    private const int MaxWaiting = 20_000;

    private readonly List<(PostfixOutcome Line, DateTimeOffset FirstSeen)> _waiting = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var path = mailLog.Value.MailLogPath;
        if (string.IsNullOrWhiteSpace(path) || !bounces.Value.FollowMailLog)
        {
            return;
        }

        var cursor = new MailLogCursor();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Lines written before this instance started are about hand-offs recorded long
                // ago: one not found now is not ours, and must not wait (nor slow the live lines).
                var catchingUp = cursor.Position < 0;
                var lines = new List<PostfixOutcome>();
                foreach (var line in await reader.ReadNewLinesAsync(cursor, CatchUpBytes, stoppingToken))
                {
                    if (PostfixOutcome.Parse(line) is { } outcome)
                    {
                        lines.Add(outcome);
                    }
                }

                if (catchingUp && cursor.Position >= 0)
                {
                    LogFollowing(path, cursor.CaughtUpFrom);
                }

                await ApplyAsync(lines, catchingUp, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogFailed(ex);
            }

            await Task.Delay(PollInterval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task ApplyAsync(List<PostfixOutcome> lines, bool catchingUp, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var batch = _waiting.Select(w => w.Line).Concat(lines).ToList();
        if (batch.Count == 0)
        {
            return;
        }

        var firstSeen = _waiting.ToDictionary(w => w.Line, w => w.FirstSeen);
        _waiting.Clear();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotifierDb>();
        var queueIds = batch.Select(l => l.QueueId).Distinct().ToList();
        // One query for the batch: most lines are about messages that are not ours (reports, tests).
        var deliveries = await db.Deliveries.AsNoTracking()
            .Where(d => d.QueueId != null && queueIds.Contains(d.QueueId))
            .Select(d => new { d.Id, d.QueueId, d.Status })
            .ToDictionaryAsync(d => d.QueueId!, d => (d.Id, d.Status), ct);
        var ledger = scope.ServiceProvider.GetRequiredService<DeliveryLedger>();
        var toApply = new List<(PostfixOutcome Line, Guid DeliveryId)>();
        foreach (var line in batch)
        {
            var seen = firstSeen.GetValueOrDefault(line, now);
            if (!deliveries.TryGetValue(line.QueueId, out var delivery))
            {
                // Not (yet) known by this queue id: the dispatcher may not have recorded the hand-off.
                if (!catchingUp && now - seen < Patience && line.MayBeOurs && _waiting.Count < MaxWaiting)
                {
                    _waiting.Add((line, seen));
                }

                continue;
            }

            if (Delivery.StatusAfterReport(delivery.Status, line.Action) is not null)
            {
                // (Otherwise nothing new: the report came first, or this line was read before a restart.)
                toApply.Add((line, delivery.Id));
            }
        }

        // In slices, so one transaction never holds thousands of rows (catching up after a restart).
        foreach (var slice in toApply.Chunk(200))
        {
            await ledger.ApplyReportsAsync(slice.Select(x => (x.DeliveryId, new FateReport(ReportSources.Log, x.Line.Action, x.Line.Status, x.Line.Diagnostic, x.Line.Relay))).ToList(), ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Following the mail log {Path} for delivery outcomes ({Bytes} bytes to catch up)")]
    private partial void LogFollowing(string path, long bytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reading the mail log for delivery outcomes failed; trying again")]
    private partial void LogFailed(Exception ex);
}
