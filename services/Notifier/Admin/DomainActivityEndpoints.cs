using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.Admin;

/// <summary>
/// The dashboard's view per recipient domain: what happened to the mail for each domain in the
/// last hour (or another window), the domains in trouble first, so "gmail.com is throttling us"
/// is seen at a glance.
/// </summary>
public static class DomainActivityEndpoints
{
    /// <summary>The newest failure among a domain's deliveries in the window.</summary>
    /// <param name="Reason">The delivery's last error: the mail server's or receiver's reply.</param>
    /// <param name="Class">Its failure class (<c>throttled</c>, <c>hard</c>, …), null while unclassified.</param>
    /// <param name="Status">The delivery's status now.</param>
    /// <param name="At">When the delivery last changed.</param>
    public sealed record NewestFailure(string Reason, string? Class, string Status, DateTimeOffset At);

    /// <summary>
    /// Deliveries to one domain that changed in the window, by their status now. <c>Sent</c>: handed
    /// to the mail server in the window; <c>Failed</c>: refused or given up (failed, abandoned);
    /// <c>Throttled</c>: the last failure was the receiver's throttling or policy block, whatever
    /// the status now; <c>Total</c>: every delivery that changed in the window.
    /// </summary>
    public sealed record DomainActivity(
        string Domain, long Total, long Sent, long Delivered, long Deferred, long Bounced, long Failed, long Throttled, long Complained,
        long Suppressed, NewestFailure? NewestFailure)
    {
        /// <summary>What the list is ordered by (then by <c>Total</c>): throttled + bounced + deferred.</summary>
        public long Trouble => Throttled + Bounced + Deferred;
    }

    /// <param name="Window">The window as asked (<c>1h</c>).</param>
    /// <param name="Since">Deliveries that changed after this time are counted.</param>
    /// <param name="Domains">How many domains had activity in the window (<c>Items</c> holds at most <c>limit</c> of them).</param>
    public sealed record DomainActivityView(DateTimeOffset GeneratedAt, string Window, DateTimeOffset Since, long Domains, List<DomainActivity> Items);

    public const int DefaultLimit = 50;

    public const int MaxLimit = 500;

    public static RouteGroupBuilder MapDomainActivity(this RouteGroupBuilder admin)
    {
        var at = new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
        admin.MapGet("/dashboard/domains", GetAsync).WithTags("Dashboard")
            .WithSummary("Per recipient domain: sent, delivered, deferred, bounced, failed, throttled, complained and suppressed in the window, and the newest failure")
            .WithDescription("Counts are of deliveries that changed in the window, by their status now; `sent` counts those handed to the mail " +
                "server in the window, `failed` the failed and abandoned ones, `throttled` those whose last failure the receiver's throttling " +
                "or policy block caused (class `throttled`, whatever their status now). `newest_failure` is the newest deferred, bounced, failed, " +
                "abandoned or complained delivery's reason. Ordered by `trouble` (throttled + bounced + deferred), then by `total`. " +
                $"`window`: minutes, hours or days (`15m`, `1h`, `24h`, `7d`; from 1m to 7d, default 1h); `limit`: 1–{MaxLimit}, default {DefaultLimit}.")
            .WithExample(response: new DomainActivityView(at, "1h", at.AddHours(-1), 14,
            [
                new DomainActivity("gmail.com", 240, 236, 180, 41, 3, 0, 38, 0, 1,
                    new NewestFailure("421-4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited.",
                        FailureClass.Throttled.Name(), DeliveryStatus.Deferred.Name(), at.AddMinutes(-2))),
                new DomainActivity("docomo.ne.jp", 35, 35, 33, 0, 2, 0, 0, 0, 0,
                    new NewestFailure("5.1.1 <taro@docomo.ne.jp>: Recipient address rejected: User unknown", FailureClass.Hard.Name(), DeliveryStatus.Bounced.Name(), at.AddMinutes(-9))),
                new DomainActivity("example.co.jp", 12, 12, 12, 0, 0, 0, 0, 0, 0, null),
            ]));
        return admin;
    }

    internal static async Task<Results<Ok<DomainActivityView>, ValidationProblem>> GetAsync(
        NotifierDb db, TimeProvider time, string? window, int? limit, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!ActivityWindow.TryParse(window, out var span, out var problem))
        {
            errors["window"] = [problem!];
        }

        var take = limit ?? DefaultLimit;
        if (take is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"limit must be between 1 and {MaxLimit}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = time.GetUtcNow();
        var since = now - span;
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var items = new List<DomainActivity>();
            long domains = 0;
            await using var command = connection.CreateCommand();
            command.CommandText = Sql;
            Add(command, "since", since);
            Add(command, "limit", take);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                domains = reader.GetInt64(11);
                var failure = reader.IsDBNull(12) ? null : new NewestFailure(
                    reader.GetString(12), reader.IsDBNull(13) ? null : reader.GetString(13), reader.GetString(14), reader.GetFieldValue<DateTimeOffset>(15));
                items.Add(new DomainActivity(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                    reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9), failure));
            }

            return TypedResults.Ok(new DomainActivityView(now, ActivityWindow.Format(span), since, domains, items));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>The statuses whose last error is a failure reason (a suppressed delivery's only says it was held back).</summary>
    private static readonly string Failing = string.Join(", ", new[]
    {
        DeliveryStatus.Deferred, DeliveryStatus.Bounced, DeliveryStatus.Failed, DeliveryStatus.Abandoned, DeliveryStatus.Complained,
    }.Select(s => $"'{s.Name()}'"));

    // One statement: the counts per domain over the rows that changed in the window (the
    // updated_at index), the domains in trouble first, cut to the limit; then, for those domains
    // only, the newest failing row (the recipient_domain index). Enum names are constants of the
    // code, never input; the window and the limit are parameters. Ties are broken by the domain in
    // byte order (COLLATE "C"), the same whatever the database's collation.
    private static readonly string Sql = $"""
        WITH activity AS (
            SELECT recipient_domain AS domain,
                   count(*) AS total,
                   count(*) FILTER (WHERE sent_at > @since) AS sent,
                   count(*) FILTER (WHERE status = '{DeliveryStatus.Delivered.Name()}') AS delivered,
                   count(*) FILTER (WHERE status = '{DeliveryStatus.Deferred.Name()}') AS deferred,
                   count(*) FILTER (WHERE status = '{DeliveryStatus.Bounced.Name()}') AS bounced,
                   count(*) FILTER (WHERE status IN ('{DeliveryStatus.Failed.Name()}', '{DeliveryStatus.Abandoned.Name()}')) AS failed,
                   count(*) FILTER (WHERE failure_class = '{FailureClass.Throttled.Name()}') AS throttled,
                   count(*) FILTER (WHERE status = '{DeliveryStatus.Complained.Name()}') AS complained,
                   count(*) FILTER (WHERE status = '{DeliveryStatus.Suppressed.Name()}') AS suppressed
              FROM deliveries
             WHERE updated_at > @since
             GROUP BY recipient_domain
        ), ranked AS (
            SELECT a.*, a.throttled + a.bounced + a.deferred AS trouble, count(*) OVER () AS domains
              FROM activity a
             ORDER BY trouble DESC, a.total DESC, a.domain COLLATE "C"
             LIMIT @limit
        )
        SELECT r.domain, r.total, r.sent, r.delivered, r.deferred, r.bounced, r.failed, r.throttled, r.complained, r.suppressed,
               r.trouble, r.domains, f.last_error, f.failure_class, f.status, f.updated_at
          FROM ranked r
          LEFT JOIN LATERAL (
               SELECT d.last_error, d.failure_class, d.status, d.updated_at
                 FROM deliveries d
                WHERE d.recipient_domain = r.domain AND d.updated_at > @since
                  AND d.status IN ({Failing}) AND d.last_error IS NOT NULL
                ORDER BY d.updated_at DESC, d.id
                LIMIT 1) f ON true
         ORDER BY r.trouble DESC, r.total DESC, r.domain COLLATE "C"
        """;
}

/// <summary>The dashboard's time window, written as minutes, hours or days: <c>15m</c>, <c>1h</c>, <c>7d</c>.</summary>
public static partial class ActivityWindow
{
    public static readonly TimeSpan Default = TimeSpan.FromHours(1);

    public static readonly TimeSpan Max = TimeSpan.FromDays(7);

    public const string Problem = "window must be a whole number of minutes, hours or days such as 15m, 1h or 24h, from 1m to 7d.";

    /// <summary>Parses <paramref name="text"/> (empty: the default hour); on failure <paramref name="problem"/> says what is accepted.</summary>
    public static bool TryParse(string? text, out TimeSpan window, out string? problem)
    {
        window = Default;
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        var match = Pattern().Match(text.Trim());
        if (!match.Success || !int.TryParse(match.Groups["n"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            problem = Problem;
            return false;
        }

        var span = char.ToLowerInvariant(match.Groups["unit"].Value[0]) switch
        {
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            _ => TimeSpan.FromDays(n),
        };
        if (span < TimeSpan.FromMinutes(1) || span > Max)
        {
            problem = Problem;
            return false;
        }

        window = span;
        return true;
    }

    /// <summary>The shortest way to write <paramref name="window"/> (<c>90m</c>, <c>1h</c>, <c>7d</c>).</summary>
    public static string Format(TimeSpan window) =>
        window.TotalHours > 24 && window.TotalHours % 24 == 0 ? $"{(int)window.TotalDays}d"
        : window.TotalMinutes % 60 == 0 ? $"{(int)window.TotalHours}h"
        : $"{(int)window.TotalMinutes}m";

    [GeneratedRegex(@"^(?<n>[0-9]{1,5})(?<unit>[mhdMHD])$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
