using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Npgsql;

namespace SalesMind.Outbox;

/// <summary>What operators see of a service's outbox, and how they put a dead letter back in line.</summary>
public static class OutboxAdminEndpoints
{
    public sealed record OutboxSummary(long Pending, long DeadLettered, double? OldestPendingAgeSeconds);

    public sealed record DeadLetter(
        long Id, Guid MessageId, string MessageType, int Attempts, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? DeadLetteredAt);

    /// <summary>Maps <c>outbox</c> endpoints into <paramref name="admin"/>, a group that already requires an admin.</summary>
    public static RouteGroupBuilder MapOutboxAdmin(this RouteGroupBuilder admin)
    {
        var outbox = admin.MapGroup("/outbox");
        outbox.MapGet("/", GetSummaryAsync).WithSummary("Outbox rows waiting to be published, dead-lettered, and the age of the oldest waiting one");
        outbox.MapGet("/dead-letters", ListDeadLettersAsync).WithSummary("Outbox rows that could not be published, with their last error");
        outbox.MapPost("/dead-letters/{id:long}/retry", RetryAsync).WithSummary("Put a dead-lettered row back in line to be published");
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
        long id, OutboxDataSource dataSource, OutboxSignal signal, CancellationToken ct)
    {
        await using var update = dataSource.Value.CreateCommand("""
            UPDATE outbox_message SET dead_lettered_at = NULL, attempts = 0, available_at = now(), locked_until = NULL
             WHERE id = $1 AND dead_lettered_at IS NOT NULL AND strpos(body::text, $2) = 0
            """);
        update.Parameters.Add(new NpgsqlParameter { Value = id });
        update.Parameters.Add(new NpgsqlParameter { Value = "=" + SecretRedaction.Marker });
        if (await update.ExecuteNonQueryAsync(ct) == 0)
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
        return TypedResults.Accepted((string?)null);
    }
}
