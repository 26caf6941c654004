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
/// <remarks>
/// Its place in the log (file identity, offset, first line's hash) is kept in
/// <c>mail_log_positions</c> under <c>Smtp:MailLogName</c>: a restart resumes exactly there, and
/// a rotation that happened meanwhile is followed through the rotated file. One instance
/// follows a log at a time (<see cref="MailLogLease"/>); the others stand by and take over
/// within seconds when it stops.
/// </remarks>
public sealed partial class MailLogFollower(
    IServiceScopeFactory scopes, PostfixMailLog reader, IOptions<MailLogOptions> mailLog, IOptions<BounceOptions> bounces,
    MailLogHealth health, TimeProvider time, ILogger<MailLogFollower> logger)
    : BackgroundService
{
    /// <summary>How far back to read when no place was ever stored: lines written before the first start.</summary>
    private const long CatchUpBytes = 16L * 1024 * 1024;

    /// <summary>How much of the log's end is looked at for queue ids at start (whether long ids are on).</summary>
    private const long StartCheckBytes = 64 * 1024;

    /// <summary>
    /// How long a line whose delivery is not yet recorded as handed over is retried. The gap
    /// between the mail server's log line and the dispatcher's record is milliseconds; a line
    /// still unknown after this belongs to another sender of the same mail server (and must not
    /// crowd out the lines that are ours).
    /// </summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>How often a standing-by instance tries to take over.</summary>
    private static readonly TimeSpan StandbyInterval = TimeSpan.FromSeconds(5);

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

        await Task.Yield();
        CheckQueueIdsAtStart(path);
        string connectionString;
        await using (var scope = scopes.CreateAsyncScope())
        {
            connectionString = scope.ServiceProvider.GetRequiredService<NotifierDb>().Database.GetConnectionString()!;
        }

        var name = mailLog.Value.MailLogName;
        var standingBy = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var lease = await MailLogLease.TryTakeAsync(connectionString, name, stoppingToken);
                if (lease is null)
                {
                    if (!standingBy)
                    {
                        LogStandingBy(path, name);
                        health.Role("standing by: another instance follows the mail log");
                        standingBy = true;
                    }
                }
                else
                {
                    standingBy = false;
                    health.Role("following the mail log");
                    await FollowAsync(lease, path, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // The lease is given up with its connection: another instance may take over.
                LogFailed(ex);
                health.Role("not following the mail log (it failed; trying again)");
            }

            await Task.Delay(StandbyInterval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Follows the log while this instance holds the lease; returns only by an exception or on stopping.</summary>
    private async Task FollowAsync(MailLogLease lease, string path, CancellationToken stoppingToken)
    {
        var stored = await lease.LoadAsync(stoppingToken);
        var cursor = stored is null ? new MailLogCursor() : MailLogCursor.At(stored);
        if (stored is null)
        {
            LogFollowingFresh(path);
        }
        else
        {
            LogResuming(path, stored.FileId, stored.Offset);
        }

        // Lines read first were written while no instance followed: about hand-offs recorded long
        // ago, so one not found now is not ours and must not wait (nor slow the live lines).
        var catchingUp = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            var freshStart = cursor.FileId is null;
            var lines = new List<PostfixOutcome>();
            foreach (var line in await reader.ReadNewLinesAsync(cursor, CatchUpBytes, stoppingToken))
            {
                if (PostfixOutcome.Parse(line) is { } outcome)
                {
                    lines.Add(outcome);
                }
            }

            if (freshStart && cursor.FileId is not null)
            {
                LogCaughtUp(path, cursor.CaughtUpFrom);
            }

            if (cursor.RotatedFrom is { } rotated)
            {
                LogRotated(path, rotated);
                health.RotationFollowed();
            }

            if (cursor.RestLost)
            {
                LogRestLost(path, string.Join(", ", mailLog.Value.RotatedPatterns()));
                health.RotationRestLost();
            }

            foreach (var queueId in lines.Select(l => l.QueueId).Distinct())
            {
                health.QueueIdSeen(queueId, "the mail log");
            }

            await ApplyAsync(lines, catchingUp, stoppingToken);
            // Saved after the lines are applied: a crash in between reads them again (harmless).
            if (cursor.FileId is not null && !cursor.IsAt(stored))
            {
                stored = await lease.SaveAsync(cursor, time.GetUtcNow(), stoppingToken);
            }

            catchingUp = catchingUp && cursor.More;
            if (!cursor.More)
            {
                await Task.Delay(PollInterval, time, stoppingToken);
            }
        }
    }

    /// <summary>Whether the mail server gives long queue ids, from the end of its log, said once at start.</summary>
    private void CheckQueueIdsAtStart(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.Seek(Math.Max(0, stream.Length - StartCheckBytes), SeekOrigin.Begin);
            using var text = new StreamReader(stream);
            string? last = null;
            while (text.ReadLine() is { } line)
            {
                if (PostfixLogLine.Parse(line) is { } entry)
                {
                    last = entry.QueueId;
                }
            }

            if (last is null)
            {
                LogNoQueueIdYet(path);
            }
            else
            {
                health.QueueIdSeen(last, "the end of the mail log at start");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogNoQueueIdYet(path);
        }
    }

    private async Task ApplyAsync(List<PostfixOutcome> lines, bool catchingUp, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        // The same line twice (a message deferred again with the same reply: the log's lines differ
        // only in delays, which are not kept) is one piece of news: applying it once is enough.
        var batch = _waiting.Select(w => w.Line).Concat(lines).Distinct().ToList();
        if (batch.Count == 0)
        {
            return;
        }

        var firstSeen = _waiting.GroupBy(w => w.Line).ToDictionary(g => g.Key, g => g.Min(w => w.FirstSeen));
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
                // (A delivery left in doubt is settled by the in-doubt check, which reads these lines itself.)
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Following the mail log {Path} for delivery outcomes from its end (no place stored yet)")]
    private partial void LogFollowingFresh(string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Following the mail log {Path} for delivery outcomes from its stored place (file {FileId}, offset {Offset})")]
    private partial void LogResuming(string path, string fileId, long offset);

    [LoggerMessage(Level = LogLevel.Information, Message = "Read the last {Bytes} bytes of the mail log {Path}")]
    private partial void LogCaughtUp(string path, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Another Notifier instance follows the mail log {Path} ({Name}); this one stands by to take over")]
    private partial void LogStandingBy(string path, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "The mail log {Path} was rotated: read the rest of {Rotated}, now reading the new file")]
    private partial void LogRotated(string path, string rotated);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The mail log {Path} was rotated and the rest of the old file was not found among {Patterns} (Smtp:MailLogRotatedPaths): outcomes written there are missed; now reading the new file")]
    private partial void LogRestLost(string path, string patterns);

    [LoggerMessage(Level = LogLevel.Information, Message = "No queue id in the end of the mail log {Path} yet: whether enable_long_queue_ids is on is checked at the first message")]
    private partial void LogNoQueueIdYet(string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reading the mail log for delivery outcomes failed; trying again")]
    private partial void LogFailed(Exception ex);
}
