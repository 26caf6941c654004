using System.Data.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.Admin;

/// <summary>Everything the operators' dashboard shows, in one answer (the page asks every few seconds).</summary>
public static class DashboardEndpoints
{
    /// <summary>The statuses listed under recent failures.</summary>
    private static readonly DeliveryStatus[] Troubled = [DeliveryStatus.Failed, DeliveryStatus.Bounced, DeliveryStatus.Abandoned, DeliveryStatus.Deferred, DeliveryStatus.Complained];

    public sealed record StatusCount(string Status, long LastHour, long LastDay);

    /// <summary>Deliveries created in one time bucket, by their status now.</summary>
    public sealed record Bucket(DateTimeOffset Start, Dictionary<string, long> Counts);

    /// <summary>Milliseconds from the event to a milestone, over the deliveries that reached it in the last hour.</summary>
    public sealed record Latency(long Count, double? P50, double? P90, double? P99, double? Max);

    /// <summary>Which deliveries the latencies are over: those that reached the milestone in the last <c>Minutes</c>, with or without admin test sends.</summary>
    public sealed record LatencyWindow(int Minutes, bool ExcludesTestSends);

    /// <summary>
    /// Suppression in two numbers that are never added up: the addresses suppressed now (what the
    /// suppression list shows) and the deliveries held back because of one, created in the last hour.
    /// </summary>
    public sealed record Suppressions(long Addresses, long DeliveriesLastHour);

    /// <summary>The minutes the latencies look back over.</summary>
    public const int LatencyMinutes = 60;

    public sealed record OutboxState(long Pending, long DeadLettered, double? OldestPendingAgeSeconds);

    /// <param name="FailureClass">What kind of failure (<c>hard</c>, <c>soft</c>, <c>throttled</c>, <c>auth</c>, <c>unknown</c>); null for rows from before failures were classified.</param>
    public sealed record Failure(Guid Id, string Template, string Recipient, string Status, string? Reason, DateTimeOffset At, string? FailureClass = null);

    public sealed record DashboardView(
        DateTimeOffset GeneratedAt,
        List<StatusCount> Statuses,
        List<Bucket> LastHourByMinute,
        List<Bucket> LastDayByHour,
        Latency Accepted,
        Latency Delivered,
        LatencyWindow LatencyWindow,
        OutboxState Outbox,
        List<BrokerQueue>? Queues,
        string? QueuesProblem,
        List<Failure> LatestFailures,
        Suppressions Suppressed);

    public static RouteGroupBuilder MapDashboard(this RouteGroupBuilder admin)
    {
        var at = new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
        admin.MapGet("/dashboard", GetAsync).WithTags("Dashboard")
            .WithSummary("Delivery counts and rates by status, latency percentiles, the outbox, broker queues and the latest failures")
            .WithDescription("Counts are of deliveries created in the window, by their status now. Latencies: from the event that asked " +
                "for the email to its acceptance by the mail server (`accepted`) and to its confirmed delivery (`delivered`), over the " +
                "deliveries that got there in the last hour (`latency_window`); `exclude_test_sends=true` leaves admin test sends out of " +
                "them (default false: every delivery counts, as in the status counts). Queues: `expects_consumer` is false for error, " +
                "skipped and dead-letter queues, which no service reads. `suppressed`: `addresses` suppressed now (the suppression list), " +
                "and `deliveries_last_hour` held back because of one.")
            .WithExample(response: new DashboardView(at,
                [new StatusCount(DeliveryStatus.Delivered.Name(), 118, 2304), new StatusCount(DeliveryStatus.Bounced.Name(), 2, 31)],
                [new Bucket(at.AddMinutes(-1), new() { [DeliveryStatus.Delivered.Name()] = 3 })],
                [new Bucket(at.AddHours(-1), new() { [DeliveryStatus.Delivered.Name()] = 118, [DeliveryStatus.Bounced.Name()] = 2 })],
                new Latency(120, 210, 340, 820, 1400), new Latency(118, 260, 400, 900, 1600), new LatencyWindow(LatencyMinutes, false),
                new OutboxState(0, 0, null),
                [new BrokerQueue("user-registered", 0, 1), new BrokerQueue("user-registered_error", 1, 0), new BrokerQueue(BrokerQueue.DeadLetterQueue, 0, 0)], null,
                [new Failure(Guid.Parse("0193f4a2-9b3d-7e10-8c42-5d6e7f8a9b0c"), "email-verification", "hanako@example.com", DeliveryStatus.Bounced.Name(),
                    "5.1.1 <hanako@example.com>: Recipient address rejected: User unknown", at, FailureClass.Hard.Name())],
                new Suppressions(3, 1)));
        return admin;
    }

    internal static async Task<Ok<DashboardView>> GetAsync(
        NotifierDb db, BrokerQueues broker, TimeProvider time, [FromQuery(Name = "exclude_test_sends")] bool? excludeTestSends, CancellationToken ct)
    {
        // Off unless asked: by default the latencies cover the same deliveries as the status counts.
        var window = new LatencyWindow(LatencyMinutes, excludeTestSends ?? false);
        // The broker is asked while the database answers.
        var queues = broker.ListAsync(ct);
        var now = time.GetUtcNow();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var statuses = new List<StatusCount>();
            await foreach (var r in QueryAsync(connection, """
                SELECT status, count(*) FILTER (WHERE created_at > now() - interval '1 hour'), count(*)
                  FROM deliveries WHERE created_at > now() - interval '1 day' GROUP BY status ORDER BY status
                """, ct))
            {
                statuses.Add(new StatusCount(r.GetString(0), r.GetInt64(1), r.GetInt64(2)));
            }

            // Every status, with 0 where there is none, so the tiles do not come and go.
            statuses = Enum.GetValues<DeliveryStatus>().Select(s => s.Name())
                .Select(n => statuses.FirstOrDefault(x => x.Status == n) ?? new StatusCount(n, 0, 0)).ToList();

            var byMinute = await BucketsAsync(connection, "minute", "1 hour", ct);
            var byHour = await BucketsAsync(connection, "hour", "1 day", ct);
            var accepted = await LatencyAsync(connection, "sent_at", "sent_at IS NOT NULL", window, ct);
            var delivered = await LatencyAsync(connection, "final_at", $"status = '{DeliveryStatus.Delivered.Name()}'", window, ct);

            OutboxState outbox = new(0, 0, null);
            await foreach (var r in QueryAsync(connection, """
                SELECT count(*) FILTER (WHERE dead_lettered_at IS NULL), count(*) FILTER (WHERE dead_lettered_at IS NOT NULL),
                       extract(epoch FROM now() - min(created_at) FILTER (WHERE dead_lettered_at IS NULL))::float8
                  FROM outbox_message
                """, ct))
            {
                outbox = new OutboxState(r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetDouble(2));
            }

            var failures = new List<Failure>();
            // Enum names, not input: safe to write into the statement.
            var troubled = string.Join(", ", Troubled.Select(s => $"'{s.Name()}'"));
            await foreach (var r in QueryAsync(connection, $"""
                SELECT id, template, recipient, status, last_error, updated_at, failure_class FROM deliveries
                 WHERE status IN ({troubled}) AND updated_at > now() - interval '1 day'
                 ORDER BY updated_at DESC LIMIT 20
                """, ct))
            {
                failures.Add(new Failure(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
                    r.GetFieldValue<DateTimeOffset>(5), r.IsDBNull(6) ? null : r.GetString(6)));
            }

            // The same rows as GET /suppressions lists.
            long addresses = 0;
            await foreach (var r in QueryAsync(connection, "SELECT count(*) FROM suppressions WHERE lifted_at IS NULL AND expires_at > now()", ct))
            {
                addresses = r.GetInt64(0);
            }

            var suppressed = new Suppressions(addresses, statuses.Single(s => s.Status == DeliveryStatus.Suppressed.Name()).LastHour);

            var (brokerQueues, problem) = await queues;
            return TypedResults.Ok(new DashboardView(now, statuses, byMinute, byHour, accepted, delivered, window, outbox, brokerQueues, problem, failures, suppressed));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task<List<Bucket>> BucketsAsync(DbConnection connection, string unit, string window, CancellationToken ct)
    {
        var buckets = new SortedDictionary<DateTimeOffset, Dictionary<string, long>>();
        // unit and window are constants of this class, never input.
        await foreach (var r in QueryAsync(connection, $"""
            SELECT date_trunc('{unit}', created_at), status, count(*) FROM deliveries
             WHERE created_at > now() - interval '{window}' GROUP BY 1, 2
            """, ct))
        {
            var start = new DateTimeOffset(DateTime.SpecifyKind(r.GetDateTime(0), DateTimeKind.Utc));
            (buckets.TryGetValue(start, out var counts) ? counts : buckets[start] = [])[r.GetString(1)] = r.GetInt64(2);
        }

        return buckets.Select(b => new Bucket(b.Key, b.Value)).ToList();
    }

    private static async Task<Latency> LatencyAsync(DbConnection connection, string milestone, string filter, LatencyWindow window, CancellationToken ct)
    {
        // Constants of this class and DeliveryKinds, never input.
        var kinds = window.ExcludesTestSends ? $" AND kind <> '{DeliveryKinds.Test}'" : "";
        await foreach (var r in QueryAsync(connection, $"""
            SELECT count(*), percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY ms), max(ms)
              FROM (SELECT extract(epoch FROM {milestone} - requested_at) * 1000 AS ms FROM deliveries
                     WHERE {filter}{kinds} AND requested_at IS NOT NULL AND {milestone} > now() - interval '{window.Minutes} minutes') x
            """, ct))
        {
            if (r.GetInt64(0) == 0)
            {
                return new Latency(0, null, null, null, null);
            }

            var p = r.GetFieldValue<double[]>(1);
            return new Latency(r.GetInt64(0), Math.Round(p[0]), Math.Round(p[1]), Math.Round(p[2]), Math.Round(Convert.ToDouble(r.GetValue(2))));
        }

        return new Latency(0, null, null, null, null);
    }

    private static async IAsyncEnumerable<DbDataReader> QueryAsync(DbConnection connection, string sql, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            yield return reader;
        }
    }
}
