using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.Outcomes;

/// <summary>
/// What an operator must know about the mail log, as the <c>mail-log</c> health check (in
/// <c>/health/ready</c>): degraded while the mail server gives short (reused) queue ids, or when
/// the rest of a rotated log was not found in the last hour; healthy otherwise, saying whether
/// this instance follows the log or stands by.
/// </summary>
public sealed partial class MailLogHealth(TimeProvider time, ILogger<MailLogHealth> logger) : IHealthCheck
{
    public const string Name = "mail-log";

    private static readonly Meter Meter = new(DeliveryLedger.MeterName);

    private static readonly Counter<long> Rotations = Meter.CreateCounter<long>(
        "salesmind.mail_log.rotations", description: "Rotations of the mail log seen by the follower, by whether the rest of the rotated file was read (read) or not found (lost)");

    private static readonly Counter<long> ShortIds = Meter.CreateCounter<long>(
        "salesmind.mail_log.short_queue_ids", description: "Short (reused) Postfix queue ids seen: enable_long_queue_ids is off");

    private readonly Lock _lock = new();
    private string? _lastQueueId;
    private bool _lastWasShort;
    private DateTimeOffset? _restLostAt;
    private string _role = "not following the mail log";

    /// <summary>
    /// A queue id from the mail server (its <c>250 … queued as</c> reply, or the log): a short
    /// one means <c>enable_long_queue_ids</c> is off, said loudly once per change.
    /// </summary>
    public void QueueIdSeen(string queueId, string source)
    {
        var isShort = PostfixQueueIds.IsShort(queueId);
        if (!isShort && !PostfixQueueIds.IsLong(queueId))
        {
            return;
        }

        bool changed;
        lock (_lock)
        {
            changed = _lastQueueId is null || _lastWasShort != isShort;
            _lastQueueId = queueId;
            _lastWasShort = isShort;
        }

        if (isShort)
        {
            ShortIds.Add(1);
        }

        if (changed)
        {
            if (isShort)
            {
                LogShortQueueId(queueId, source);
            }
            else
            {
                LogLongQueueIds(queueId, source);
            }
        }
    }

    /// <summary>Whether this instance follows the log or stands by (another instance follows it).</summary>
    public void Role(string role)
    {
        lock (_lock)
        {
            _role = role;
        }
    }

    public void RotationFollowed() => Rotations.Add(1, new KeyValuePair<string, object?>("rest", "read"));

    public void RotationRestLost()
    {
        Rotations.Add(1, new KeyValuePair<string, object?>("rest", "lost"));
        lock (_lock)
        {
            _restLostAt = time.GetUtcNow();
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_lastWasShort)
            {
                return Task.FromResult(HealthCheckResult.Degraded(
                    $"the mail server gives short queue ids ({_lastQueueId}), which it reuses: set enable_long_queue_ids = yes in Postfix's main.cf and reload it"));
            }

            if (_restLostAt is { } lost && time.GetUtcNow() - lost < TimeSpan.FromHours(1))
            {
                return Task.FromResult(HealthCheckResult.Degraded(
                    $"the rest of a rotated mail log was not found at {lost:u}: some outcomes may be missing (see Smtp:MailLogRotatedPaths)"));
            }

            return Task.FromResult(HealthCheckResult.Healthy(_lastQueueId is null ? _role : $"{_role}; long queue ids"));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The mail server gives short queue ids ({QueueId}, from {Source}): Postfix's enable_long_queue_ids is off. Short ids are reused, so the mail log can be misread; set enable_long_queue_ids = yes in main.cf and reload Postfix")]
    private partial void LogShortQueueId(string queueId, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "The mail server gives long queue ids ({QueueId}, from {Source}): enable_long_queue_ids is on")]
    private partial void LogLongQueueIds(string queueId, string source);
}
