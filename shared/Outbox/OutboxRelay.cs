using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace SalesMind.Outbox;

/// <summary>
/// Publishes committed outbox rows. Claims a batch in one short READ COMMITTED statement
/// (FOR UPDATE SKIP LOCKED, so several relays share the work), publishes outside any
/// transaction with the row's MessageId and broker confirms, then deletes what was confirmed.
/// A failed row backs off on its own and is dead-lettered after MaxAttempts; it never blocks
/// the rows behind it.
/// </summary>
public sealed partial class OutboxRelay(
    OutboxDataSource dataSource,
    IBus bus,
    IBusControl busControl,
    OutboxSignal signal,
    IOptions<OutboxOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    public const string MeterName = "SalesMind.Outbox";

    public static readonly ActivitySource ActivitySource = new(MeterName);

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Published = Meter.CreateCounter<long>("salesmind.outbox.published", description: "Outbox rows published and confirmed by the broker");
    private static readonly Counter<long> Failed = Meter.CreateCounter<long>("salesmind.outbox.publish_failures", description: "Failed publish attempts (broker or message)");
    private static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>("salesmind.outbox.dead_lettered", description: "Outbox rows dead-lettered after MaxAttempts");

    private readonly OutboxOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken hostStopping)
    {
        // Stop at the first sign of shutdown, before any hosted service (the bus among them) is
        // stopped: a publish racing a stopping bus must never be taken for a confirmed one.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(hostStopping, lifetime.ApplicationStopping);
        var stoppingToken = linked.Token;
        var listener = ListenAsync(stoppingToken);
        try
        {
            await WaitForBusAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                int published;
                try
                {
                    published = await RelayBatchAsync(stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogBatchFailed(ex);
                    published = 0;
                    await Task.Delay(_options.PollInterval, time, stoppingToken);
                }

                if (published < _options.BatchSize)
                {
                    await signal.WaitAsync(_options.PollInterval, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await listener;
    }

    private async Task WaitForBusAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var health = await busControl.WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(10));
            if (health == BusHealthStatus.Healthy)
            {
                return;
            }

            LogWaitingForBus();
        }
    }

    /// <summary>Claims, publishes and settles one batch. Returns how many rows were claimed.</summary>
    internal async Task<int> RelayBatchAsync(CancellationToken ct)
    {
        // While the broker is unreachable, claiming would only burn attempts: wait it out.
        if (busControl.CheckHealth().Status == BusHealthStatus.Unhealthy)
        {
            return 0;
        }

        var rows = await ClaimAsync(ct);
        if (rows.Count == 0)
        {
            return 0;
        }

        // Concurrent publishes awaited together: confirms overlap, so a batch costs about one
        // broker round trip. Order inside a batch is not kept; consumers must not rely on it.
        var outcomes = await Task.WhenAll(rows.Select(row => PublishAsync(row, ct)));

        var published = outcomes.Where(o => o.Error is null).Select(o => o.Row.Id).ToArray();
        if (published.Length > 0)
        {
            await using var delete = dataSource.Value.CreateCommand("DELETE FROM outbox_message WHERE id = ANY($1)");
            delete.Parameters.Add(new NpgsqlParameter { Value = published });
            await delete.ExecuteNonQueryAsync(CancellationToken.None);
            Published.Add(published.Length);
        }

        foreach (var (row, error) in outcomes.Where(o => o.Error is not null))
        {
            await RecordFailureAsync(row, error!);
        }

        return rows.Count;
    }

    private async Task<List<ClaimedRow>> ClaimAsync(CancellationToken ct)
    {
        await using var claim = dataSource.Value.CreateCommand("""
            WITH c AS (
                SELECT id FROM outbox_message
                WHERE dead_lettered_at IS NULL
                  AND available_at <= now()
                  AND (locked_until IS NULL OR locked_until < now())
                ORDER BY id
                LIMIT $1
                FOR UPDATE SKIP LOCKED)
            UPDATE outbox_message o
               SET locked_until = now() + $2, attempts = o.attempts + 1
              FROM c
             WHERE o.id = c.id
            RETURNING o.id, o.message_id, o.message_type, o.body::text, o.trace_parent, o.attempts
            """);
        claim.Parameters.Add(new NpgsqlParameter { Value = _options.BatchSize });
        claim.Parameters.Add(new NpgsqlParameter { Value = _options.LockDuration });

        var rows = new List<ClaimedRow>(_options.BatchSize);
        await using var reader = await claim.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new ClaimedRow(
                reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt32(5)));
        }

        return rows;
    }

    private async Task<(ClaimedRow Row, Exception? Error)> PublishAsync(ClaimedRow row, CancellationToken ct)
    {
        using var activity = ActivitySource.StartActivity(
            "outbox publish", ActivityKind.Producer, row.TraceParent ?? default(string));
        activity?.SetTag("messaging.message.id", row.MessageId);
        activity?.SetTag("messaging.message.type", row.MessageType);
        try
        {
            var (message, type) = Deserialize(row);

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_options.PublishTimeout);
            await bus.Publish(message, type, ctx => ctx.MessageId = row.MessageId, timeout.Token);
            return (row, null);
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            return (row, ex);
        }
    }

    /// <summary>Turns a row back into its contract; a row that cannot be is the message's own fault.</summary>
    private (object Message, Type Type) Deserialize(ClaimedRow row)
    {
        if (!_options.MessageTypes.TryGetValue(row.MessageType, out var type))
        {
            throw new UnpublishableMessageException($"Unknown message type '{row.MessageType}': no contract with that name is registered.");
        }

        try
        {
            var message = JsonSerializer.Deserialize(row.Body, type, OutboxWriter.Json)
                ?? throw new UnpublishableMessageException("The stored body is JSON null.");
            return (message, type);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            throw new UnpublishableMessageException($"The stored body is not a valid {type.Name}: {ex.Message}");
        }
    }

    /// <summary>
    /// A row that cannot be published (unknown type, unreadable body) counts an attempt and is
    /// dead-lettered after MaxAttempts. Any other failure (broker down, publish not confirmed in
    /// time, shutdown) is not the message's fault: the attempt is given back, so a long broker
    /// outage never dead-letters anything.
    /// </summary>
    private async Task RecordFailureAsync(ClaimedRow row, Exception error)
    {
        var messageFault = error is UnpublishableMessageException;
        var deadLetter = messageFault && row.Attempts >= _options.MaxAttempts;
        await using var update = dataSource.Value.CreateCommand("""
            UPDATE outbox_message
               SET locked_until = NULL,
                   last_error = $2,
                   available_at = now() + $3,
                   attempts = CASE WHEN $5 THEN attempts ELSE attempts - 1 END,
                   dead_lettered_at = CASE WHEN $4 THEN now() END,
                   body = CASE WHEN $4 THEN $6::jsonb ELSE body END
             WHERE id = $1
            """);
        update.Parameters.Add(new NpgsqlParameter { Value = row.Id });
        update.Parameters.Add(new NpgsqlParameter { Value = SecretRedaction.Redact($"{error.GetType().Name}: {error.Message}") });
        update.Parameters.Add(new NpgsqlParameter { Value = messageFault ? _options.BackoffFor(row.Attempts) : _options.PollInterval });
        update.Parameters.Add(new NpgsqlParameter { Value = deadLetter });
        update.Parameters.Add(new NpgsqlParameter { Value = messageFault });
        // A dead letter is never sent as it is: the account links it carries lose their secret
        // now, so operators, backups and the admin API never see a working one. The user asks for
        // a new link; a retry of such a row is refused.
        update.Parameters.Add(new NpgsqlParameter { Value = deadLetter ? SecretRedaction.Redact(row.Body) : "null" });
        await update.ExecuteNonQueryAsync(CancellationToken.None);

        Failed.Add(1);
        if (deadLetter)
        {
            DeadLettered.Add(1);
            LogDeadLettered(row.MessageId, row.MessageType, row.Attempts, error);
        }
        else
        {
            LogPublishFailed(row.MessageId, row.MessageType, row.Attempts, error);
        }
    }

    /// <summary>
    /// Holds a dedicated LISTEN connection; every NOTIFY (sent at commit by the table's trigger,
    /// from any instance) wakes the relay. After a (re)connect a full poll runs, because
    /// notifications sent while disconnected are lost.
    /// </summary>
    private async Task ListenAsync(CancellationToken ct)
    {
        await Task.Yield();
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.Listener.OpenConnectionAsync(ct);
                connection.Notification += (_, _) => signal.Set();
                await using (var listen = new NpgsqlCommand($"LISTEN {OutboxModel.NotifyChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }

                signal.Set();
                while (!ct.IsCancellationRequested)
                {
                    await connection.WaitAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogListenerLost(ex);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), time, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private sealed class UnpublishableMessageException(string message) : Exception(message);

    private sealed record ClaimedRow(long Id, Guid MessageId, string MessageType, string Body, string? TraceParent, int Attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox batch failed; retrying after the poll interval")]
    private partial void LogBatchFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox relay waiting for the message bus to become healthy")]
    private partial void LogWaitingForBus();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing outbox message {MessageId} ({MessageType}) failed on attempt {Attempts}; backing off")]
    private partial void LogPublishFailed(Guid messageId, string messageType, int attempts, Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox message {MessageId} ({MessageType}) dead-lettered after {Attempts} attempts")]
    private partial void LogDeadLettered(Guid messageId, string messageType, int attempts, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox LISTEN connection lost; reconnecting")]
    private partial void LogListenerLost(Exception ex);
}
