using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using SalesMind.Contracts;

namespace SalesMind.Bench;

public sealed record PipelineResult(int Events, long Sent, long NotSent, double Seconds, double PerSecond, double FirstSentSeconds, double LastQueuedSeconds);

public sealed record SmtpSourceResult(int Messages, int Sessions, long Bytes, double Seconds, double PerSecond, string? Error);

/// <summary>Outbox → relay → RabbitMQ → Notifier → Postfix, against Postfix's own load generator.</summary>
public static class Pipeline
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Puts <paramref name="events"/> UserRegistered rows into Identity's outbox in one statement
    /// (the trigger NOTIFYs the relay at commit), then times commit → the last delivery 'sent'.
    /// </summary>
    public static async Task<PipelineResult> RunAsync(Stack stack, string prefix, int events, string domain)
    {
        var now = DateTimeOffset.UtcNow;
        var ids = new Guid[events];
        var bodies = new string[events];
        for (var i = 0; i < events; i++)
        {
            var username = $"{prefix}{i}";
            ids[i] = Guid.CreateVersion7(now);
            bodies[i] = JsonSerializer.Serialize(new UserRegistered(
                Guid.CreateVersion7(now), username, $"{username}@{domain}", i % 2 == 0 ? "ja" : "en",
                $"http://127.0.0.1:8080/api/auth/verify-email/?token=bench{i.ToString(CultureInfo.InvariantCulture)}",
                now.AddDays(1), now), Json);
        }

        DateTime committed;
        await using (var conn = new NpgsqlConnection(stack.IdentityDb))
        {
            await conn.OpenAsync();
            await using var tx = await conn.BeginTransactionAsync();
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO outbox_message (message_id, message_type, body, trace_parent, created_at, available_at, attempts)
                SELECT m, 'SalesMind.Contracts.UserRegistered', b::jsonb, NULL, $3, $3, 0
                FROM unnest($1::uuid[], $2::text[]) AS t(m, b)
                """, conn, tx);
            cmd.Parameters.Add(new NpgsqlParameter { Value = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
            cmd.Parameters.Add(new NpgsqlParameter { Value = bodies, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            cmd.Parameters.Add(new NpgsqlParameter { Value = now });
            await cmd.ExecuteNonQueryAsync();
            await tx.CommitAsync();
            committed = DateTime.UtcNow;
        }

        var timeout = TimeSpan.FromSeconds(Math.Max(120, events / 5.0));
        var clock = Stopwatch.StartNew();
        long sent = 0, settled = 0;
        DateTime? last = null, first = null, lastQueued = null;
        while (clock.Elapsed < timeout)
        {
            await using var conn = new NpgsqlConnection(stack.NotifierDb);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("""
                SELECT count(*) FILTER (WHERE sent_at IS NOT NULL),
                       count(*) FILTER (WHERE sent_at IS NOT NULL OR status IN ('failed', 'abandoned')),
                       min(sent_at), max(sent_at), max(created_at)
                FROM deliveries WHERE recipient LIKE $1
                """, conn);
            cmd.Parameters.Add(new NpgsqlParameter { Value = prefix + "%" });
            await using var reader = await cmd.ExecuteReaderAsync();
            await reader.ReadAsync();
            sent = reader.GetInt64(0);
            settled = reader.GetInt64(1);
            first = reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTime>(2);
            last = reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTime>(3);
            lastQueued = reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTime>(4);
            if (settled >= events)
            {
                break;
            }

            await Task.Delay(200);
        }

        var seconds = last is { } l ? (l - committed).TotalSeconds : double.NaN;
        var firstSeconds = first is { } f ? (f - committed).TotalSeconds : double.NaN;
        var queuedSeconds = lastQueued is { } q ? (q - committed).TotalSeconds : double.NaN;
        return new PipelineResult(events, sent, events - sent, seconds, sent / seconds, firstSeconds, queuedSeconds);
    }

    /// <summary>Postfix's smtp-source: <paramref name="messages"/> messages over <paramref name="sessions"/> parallel sessions.</summary>
    public static async Task<SmtpSourceResult> SmtpSourceAsync(Stack stack, int messages, int sessions, long bytes, string recipient)
    {
        var exe = new[] { "/usr/sbin/smtp-source", "/usr/bin/smtp-source" }.FirstOrDefault(File.Exists) ?? "smtp-source";
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[]
                 {
                     "-s", sessions.ToString(CultureInfo.InvariantCulture),
                     "-l", bytes.ToString(CultureInfo.InvariantCulture),
                     "-m", messages.ToString(CultureInfo.InvariantCulture),
                     "-f", "a@salesmind.test", "-t", recipient,
                     $"{stack.SmtpHost}:{stack.SmtpPort.ToString(CultureInfo.InvariantCulture)}",
                 })
        {
            psi.ArgumentList.Add(a);
        }

        try
        {
            var clock = Stopwatch.StartNew();
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            var seconds = clock.Elapsed.TotalSeconds;
            var error = p.ExitCode == 0 ? null : $"exit {p.ExitCode}: {(await stderr).Trim()} {(await stdout).Trim()}";
            return new SmtpSourceResult(messages, sessions, bytes, seconds, messages / seconds, error);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new SmtpSourceResult(messages, sessions, bytes, double.NaN, double.NaN, $"{exe}: {ex.Message} (install the postfix package)");
        }
    }
}
