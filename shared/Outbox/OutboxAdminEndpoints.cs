using System.Diagnostics.Metrics;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace SalesMind.Outbox;

/// <summary>
/// Writes an admin's action on the outbox into the service's own audit log (each service has its
/// own table). Registered by a service that has one; without it the action is only logged.
/// <paramref name="action"/> is <c>outbox.retried</c> or <c>outbox.retried-all</c>.
/// </summary>
public delegate Task OutboxAdminAudit(HttpContext http, string action, IReadOnlyList<RetriedRow> rows, CancellationToken ct);

/// <summary>An outbox row put back in line: its id and its message's id.</summary>
public sealed record RetriedRow(long Id, Guid MessageId);

/// <summary>What operators see of a service's outbox, and how they put a dead letter back in line.</summary>
public static partial class OutboxAdminEndpoints
{
    public sealed record OutboxSummary(long Pending, long DeadLettered, double? OldestPendingAgeSeconds);

    /// <summary>What "retry all" did: the rows put back in line, and how many were refused because their single-use link was removed.</summary>
    public sealed record RetryAllAnswer(int Retried, List<RetriedRow> Rows, long NeedNewLink);

    /// <summary>The most rows one "retry all" puts back in line (and the largest <c>?max=</c>); call again for more.</summary>
    public const int MaxRetriedPerCall = 1000;

    private static readonly Meter Meter = new(OutboxRelay.MeterName);
    private static readonly Counter<long> Retried = Meter.CreateCounter<long>(
        "salesmind.outbox.retried", description: "Dead-lettered outbox rows an admin put back in line");

    public sealed record DeadLetter(
        long Id, Guid MessageId, string MessageType, int Attempts, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? DeadLetteredAt);

    /// <summary>Maps <c>outbox</c> endpoints into <paramref name="admin"/>, a group that already requires an admin.</summary>
    public static RouteGroupBuilder MapOutboxAdmin(this RouteGroupBuilder admin)
    {
        var outbox = admin.MapGroup("/outbox");
        outbox.MapGet("/", GetSummaryAsync).WithSummary("Outbox rows waiting to be published, dead-lettered, and the age of the oldest waiting one");
        outbox.MapGet("/dead-letters", ListDeadLettersAsync).WithSummary("Outbox rows that could not be published, with their last error");
        outbox.MapPost("/dead-letters/{id:long}/retry", RetryAsync).WithSummary("Put a dead-lettered row back in line to be published");
        outbox.MapPost("/dead-letters/retry-all", RetryAllAsync)
            .WithSummary("Put every dead-lettered row back in line (up to `max`, default and ceiling 1000), except those whose single-use link was removed");
        return admin;
    }

    private static async Task<Ok<OutboxSummary>> GetSummaryAsync(OutboxDataSource dataSource, CancellationToken ct)
    {
        await using var query = dataSource.Value.CreateCommand("""
            SELECT count(*) FILTER (WHERE dead_lettered_at IS NULL),
                   count(*) FILTER (WHERE dead_lettered_at IS NOT NULL),
                   extract(epoch FROM now() - min(created_at) FILTER (WHERE dead_lettered_at IS NULL))::float8
              FROM outbox_message
            """);
        await using var reader = await query.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return TypedResults.Ok(new OutboxSummary(reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetDouble(2)));
    }

    private static async Task<Ok<List<DeadLetter>>> ListDeadLettersAsync(OutboxDataSource dataSource, CancellationToken ct, int limit = 100)
    {
        await using var query = dataSource.Value.CreateCommand("""
            SELECT id, message_id, message_type, attempts, last_error, created_at, dead_lettered_at
              FROM outbox_message WHERE dead_lettered_at IS NOT NULL ORDER BY id LIMIT $1
            """);
        query.Parameters.Add(new NpgsqlParameter { Value = Math.Clamp(limit, 1, 1000) });
        var rows = new List<DeadLetter>();
        await using var reader = await query.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new DeadLetter(
                reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetInt32(3),
                // An error message may quote the message (a link with its token): never shown live.
                SecretRedaction.RedactOrNull(reader.IsDBNull(4) ? null : reader.GetString(4)), reader.GetFieldValue<DateTimeOffset>(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6)));
        }

        return TypedResults.Ok(rows);
    }

    /// <summary>After the cause is fixed (say, a contract deployed again): publish the row again, attempts reset.</summary>
    private static async Task<Results<Accepted, NotFound<ProblemDetails>, Conflict<ProblemDetails>>> RetryAsync(
        long id, OutboxDataSource dataSource, OutboxSignal signal, HttpContext http, CancellationToken ct)
    {
        await using var update = dataSource.Value.CreateCommand("""
            UPDATE outbox_message SET dead_lettered_at = NULL, attempts = 0, available_at = now(), locked_until = NULL
             WHERE id = $1 AND dead_lettered_at IS NOT NULL AND strpos(body::text, $2) = 0
            RETURNING id, message_id
            """);
        update.Parameters.Add(new NpgsqlParameter { Value = id });
        update.Parameters.Add(new NpgsqlParameter { Value = "=" + SecretRedaction.Marker });
        var rows = await ReadRowsAsync(update, ct);
        if (rows.Count == 0)
        {
            await using var exists = dataSource.Value.CreateCommand("SELECT 1 FROM outbox_message WHERE id = $1 AND dead_lettered_at IS NOT NULL");
            exists.Parameters.Add(new NpgsqlParameter { Value = id });
            if (await exists.ExecuteScalarAsync(ct) is not null)
            {
                // Publishing it would mail a link that no longer works.
                return TypedResults.Conflict(new ProblemDetails
                {
                    Status = StatusCodes.Status409Conflict,
                    Title = "Needs a new link",
                    Detail = $"Outbox row {id} carried a single-use account link, removed when it was dead-lettered. " +
                        "The user asks for a new one (resend the verification email, or request the reset again).",
                });
            }

            return TypedResults.NotFound(new ProblemDetails
            {
                Status = StatusCodes.Status404NotFound,
                Title = "No such dead letter",
                Detail = $"Outbox row {id} does not exist or is not dead-lettered.",
            });
        }

        signal.Set();
        await AuditAsync(http, "outbox.retried", rows);
        return TypedResults.Accepted((string?)null);
    }

    /// <summary>
    /// After the cause is fixed: every dead-lettered row back in line, by the same rule as one
    /// (a row whose single-use link was removed stays, and is counted). Rows another admin is
    /// putting back at the same moment are skipped, not taken twice.
    /// </summary>
    private static async Task<Results<Ok<RetryAllAnswer>, ValidationProblem, Conflict<ProblemDetails>>> RetryAllAsync(
        OutboxDataSource dataSource, OutboxSignal signal, HttpContext http, CancellationToken ct, int max = MaxRetriedPerCall)
    {
        if (max is < 1 or > MaxRetriedPerCall)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["max"] = [$"max must be between 1 and {MaxRetriedPerCall}."] });
        }

        await using var update = dataSource.Value.CreateCommand("""
            WITH chosen AS (
                SELECT id FROM outbox_message
                 WHERE dead_lettered_at IS NOT NULL AND strpos(body::text, $2) = 0
                 ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
            UPDATE outbox_message o SET dead_lettered_at = NULL, attempts = 0, available_at = now(), locked_until = NULL
              FROM chosen WHERE o.id = chosen.id
            RETURNING o.id, o.message_id
            """);
        update.Parameters.Add(new NpgsqlParameter { Value = max });
        update.Parameters.Add(new NpgsqlParameter { Value = "=" + SecretRedaction.Marker });
        var rows = await ReadRowsAsync(update, ct);

        await using var refused = dataSource.Value.CreateCommand(
            "SELECT count(*) FROM outbox_message WHERE dead_lettered_at IS NOT NULL AND strpos(body::text, $1) > 0");
        refused.Parameters.Add(new NpgsqlParameter { Value = "=" + SecretRedaction.Marker });
        var needNewLink = (long)(await refused.ExecuteScalarAsync(ct) ?? 0L);
        if (rows.Count == 0)
        {
            return TypedResults.Conflict(new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = "Nothing to retry",
                Detail = needNewLink == 0
                    ? "No outbox row is dead-lettered."
                    : $"The {needNewLink} dead-lettered row(s) carried a single-use account link, removed when they were dead-lettered: " +
                        "the users ask for a new one (resend the verification email, or request the reset again).",
            });
        }

        signal.Set();
        await AuditAsync(http, "outbox.retried-all", rows);
        return TypedResults.Ok(new RetryAllAnswer(rows.Count, rows, needNewLink));
    }

    private static async Task<List<RetriedRow>> ReadRowsAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var rows = new List<RetriedRow>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new RetriedRow(reader.GetInt64(0), reader.GetGuid(1)));
        }

        return rows;
    }

    /// <summary>Counts, logs (who, which rows) and hands the retry to the service's audit log, if it has one.</summary>
    private static async Task AuditAsync(HttpContext http, string action, List<RetriedRow> rows)
    {
        Retried.Add(rows.Count);
        // The admin token's name, else its subject (the claims AdminAuth issues).
        var actor = http.User.FindFirstValue("name") ?? http.User.FindFirstValue("sub") ?? "unknown";
        LogRetried(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OutboxAdminEndpoints)),
            actor, rows.Count, action, string.Join(", ", rows.Select(r => r.Id)));
        if (http.RequestServices.GetService<OutboxAdminAudit>() is { } audit)
        {
            try
            {
                await audit(http, action, rows, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The rows are back in line already: the answer is not turned into an error by the audit (the log above has who and which).
                LogAuditFailed(http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OutboxAdminEndpoints)), ex, action);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Actor} put {Count} dead-lettered outbox row(s) back in line ({Action}): ids {Ids}")]
    private static partial void LogRetried(ILogger logger, string actor, int count, string action, string ids);

    [LoggerMessage(Level = LogLevel.Error, Message = "The audit entry of {Action} could not be written")]
    private static partial void LogAuditFailed(ILogger logger, Exception ex, string action);
}
