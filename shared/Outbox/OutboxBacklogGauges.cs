using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;

namespace SalesMind.Outbox;

/// <summary>
/// Publishes the outbox's backlog as gauges (<c>salesmind.outbox.pending</c>,
/// <c>salesmind.outbox.oldest_pending_age</c>, <c>salesmind.outbox.dead_letters</c>): sampled every
/// few seconds with one indexed query, so a scrape never waits for the database.
/// </summary>
public sealed class OutboxBacklogGauges(OutboxDataSource dataSource, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private static readonly Meter Meter = new(OutboxRelay.MeterName);
    private static long _pending;
    private static long _deadLetters;
    private static double _oldestAgeSeconds;

    static OutboxBacklogGauges()
    {
        Meter.CreateObservableGauge("salesmind.outbox.pending", () => Volatile.Read(ref _pending), description: "Outbox rows waiting to be published");
        Meter.CreateObservableGauge("salesmind.outbox.dead_letters", () => Volatile.Read(ref _deadLetters), description: "Outbox rows dead-lettered and not retried");
        Meter.CreateObservableGauge("salesmind.outbox.oldest_pending_age", () => Volatile.Read(ref _oldestAgeSeconds), unit: "s",
            description: "Age of the oldest outbox row waiting to be published (0 when none)");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var query = dataSource.Value.CreateCommand("""
                    SELECT count(*) FILTER (WHERE dead_lettered_at IS NULL), count(*) FILTER (WHERE dead_lettered_at IS NOT NULL),
                           coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE dead_lettered_at IS NULL)), 0)::float8
                      FROM outbox_message
                    """);
                await using var reader = await query.ExecuteReaderAsync(stoppingToken);
                if (await reader.ReadAsync(stoppingToken))
                {
                    Volatile.Write(ref _pending, reader.GetInt64(0));
                    Volatile.Write(ref _deadLetters, reader.GetInt64(1));
                    Volatile.Write(ref _oldestAgeSeconds, reader.GetDouble(2));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The relay reports database trouble; the gauges keep their last values.
            }

            try
            {
                await Task.Delay(Interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
