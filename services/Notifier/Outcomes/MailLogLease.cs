using Npgsql;

namespace SalesMind.Notifier.Outcomes;

/// <summary>
/// The right to follow one mail log, for one Notifier instance at a time: a PostgreSQL session
/// advisory lock on a connection of its own, held while following. The follower's place
/// (<c>mail_log_positions</c>) is written through the same connection, so an instance that lost
/// its lock (its connection died) can no longer move the place; the instance that takes over
/// resumes from it. Lines read twice around a hand-over change nothing.
/// </summary>
internal sealed class MailLogLease : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly string _name;

    private MailLogLease(NpgsqlConnection connection, string name)
    {
        _connection = connection;
        _name = name;
    }

    /// <summary>The lease on the log named <paramref name="name"/>, or null while another instance holds it.</summary>
    public static async Task<MailLogLease?> TryTakeAsync(string connectionString, string name, CancellationToken ct)
    {
        // Unpooled: the lock lives on the session, and a pooled connection would keep it after
        // being "closed"; keepalives notice a connection that died silently, on this side.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            KeepAlive = 15,
            ApplicationName = "salesmind-notifier mail-log follower",
        }.ConnectionString);
        try
        {
            await connection.OpenAsync(ct);
            // And on the server's: an instance that vanished without closing its connection (its
            // host died) loses the lock within about a minute, not after the system's 2 hours.
            await using (var keepalive = new NpgsqlCommand("SET tcp_keepalives_idle = 30; SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 3", connection))
            {
                await keepalive.ExecuteNonQueryAsync(ct);
            }

            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = LockName(name) });
            if (await command.ExecuteScalarAsync(ct) is true)
            {
                return new MailLogLease(connection, name);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    /// <summary>The stored place, or null when this log was never followed.</summary>
    public async Task<MailLogPosition?> LoadAsync(CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            """SELECT file_id, "offset", first_line_hash, updated_at FROM mail_log_positions WHERE name = $1""", _connection);
        command.Parameters.Add(new NpgsqlParameter { Value = _name });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        return new MailLogPosition
        {
            Name = _name,
            FileId = reader.GetString(0),
            Offset = reader.GetInt64(1),
            FirstLineHash = reader.IsDBNull(2) ? null : reader.GetString(2),
            UpdatedAt = reader.GetFieldValue<DateTimeOffset>(3),
        };
    }

    /// <summary>Stores the cursor's place; fails if the lock's connection is gone.</summary>
    public async Task<MailLogPosition> SaveAsync(MailLogCursor cursor, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO mail_log_positions (name, file_id, "offset", first_line_hash, updated_at)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (name) DO UPDATE
               SET file_id = excluded.file_id, "offset" = excluded."offset",
                   first_line_hash = excluded.first_line_hash, updated_at = excluded.updated_at
            """, _connection);
        command.Parameters.Add(new NpgsqlParameter { Value = _name });
        command.Parameters.Add(new NpgsqlParameter { Value = cursor.FileId! });
        command.Parameters.Add(new NpgsqlParameter { Value = cursor.Offset });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)cursor.FirstLineHash ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Varchar });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        await command.ExecuteNonQueryAsync(ct);
        return new MailLogPosition { Name = _name, FileId = cursor.FileId!, Offset = cursor.Offset, FirstLineHash = cursor.FirstLineHash, UpdatedAt = now };
    }

    public async ValueTask DisposeAsync()
    {
        // Closing the unpooled connection ends the session, and with it the lock.
        await _connection.DisposeAsync();
    }

    /// <summary>The advisory lock's name (hashed to its key): its own prefix, apart from other locks.</summary>
    internal static string LockName(string name) => "mail-log:" + name;
}
