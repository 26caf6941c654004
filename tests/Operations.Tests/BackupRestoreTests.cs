using Npgsql;
using SalesMind.TestSupport;

namespace SalesMind.Operations.Tests;

/// <summary>
/// The backup format and ops/restore.sh, against the local stack's PostgreSQL: a copy of the
/// Notifier's live database is dumped, wiped, restored and compared table by table. The live
/// databases are only read.
/// </summary>
public sealed class BackupRestoreTests
{
    private static readonly NpgsqlConnectionStringBuilder Server = new(Stack.PostgresAdmin);

    private static Dictionary<string, string> PgEnvironment() => new()
    {
        ["PGHOST"] = Server.Host!,
        ["PGPORT"] = Server.Port.ToString(),
        ["PGUSER"] = Server.Username!,
    };

    /// <summary>Per table: its row count and a hash of all its rows, in a stable order.</summary>
    private static async Task<SortedDictionary<string, string>> FingerprintAsync(string database)
    {
        var builder = new NpgsqlConnectionStringBuilder(Stack.PostgresAdmin) { Database = database };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            await using var hash = new NpgsqlCommand(
                $"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM \"{table}\" t", connection);
            result[table] = (string)(await hash.ExecuteScalarAsync())!;
        }

        return result;
    }

    private static async Task ExecuteAsync(string database, string sql)
    {
        var builder = new NpgsqlConnectionStringBuilder(Stack.PostgresAdmin) { Database = database };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task A_dump_of_a_database_restores_to_the_same_rows_after_the_database_was_wiped()
    {
        var scratch = $"restore_check_{Guid.NewGuid():N}"[..30];
        var directory = Directory.CreateTempSubdirectory("salesmind-backup-");
        var source = Path.Combine(directory.FullName, "salesmind_notifier-live.dump");
        var backup = Path.Combine(directory.FullName, $"{scratch}-backup.dump");
        var env = PgEnvironment();
        try
        {
            // A copy of the live Notifier database to work on: restore.sh creates the database.
            var live = await Shell.RunAsync("pg_dump", ["-Fc", "-f", source, "salesmind_notifier"], env);
            Assert.True(live.ExitCode == 0, live.ToString());
            var copied = await Shell.RunAsync("ops/restore.sh", [source, scratch], env);
            Assert.True(copied.ExitCode == 0, copied.ToString());
            Assert.Contains($"creating database {scratch}", copied.Output);
            var before = await FingerprintAsync(scratch);
            Assert.Contains("deliveries", before.Keys);
            Assert.Contains(before, t => !t.Value.StartsWith("0:", StringComparison.Ordinal));

            // Back it up the way the backup service does, wipe it, restore it.
            var dumped = await Shell.RunAsync("pg_dump", ["-Fc", "-f", backup, scratch], env);
            Assert.True(dumped.ExitCode == 0, dumped.ToString());
            await ExecuteAsync(scratch, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
            Assert.Empty(await FingerprintAsync(scratch));
            var restored = await Shell.RunAsync("ops/restore.sh", [backup, scratch], env);
            Assert.True(restored.ExitCode == 0, restored.ToString());

            Assert.Equal(before, await FingerprintAsync(scratch));
        }
        finally
        {
            await ExecuteAsync("postgres", $"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)");
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Restore_refuses_what_is_not_a_dump_and_names_the_problem()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "not a dump");
        try
        {
            var result = await Shell.RunAsync("ops/restore.sh", [file, "salesmind_notifier"], PgEnvironment());
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("is not a pg_dump custom-format archive", result.Output);

            var badName = await Shell.RunAsync("ops/restore.sh", [file, "x; DROP DATABASE y"], PgEnvironment());
            Assert.Contains("is not a plain database name", badName.Output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Backups_are_readable_by_their_owner_only_and_an_encrypted_one_restores_only_with_its_key()
    {
        var scratch = $"restore_enc_{Guid.NewGuid():N}"[..28];
        var directory = Directory.CreateTempSubdirectory("salesmind-backup-");
        var backups = Path.Combine(directory.FullName, "backups");
        var key = Path.Combine(directory.FullName, "key");
        var wrongKey = Path.Combine(directory.FullName, "wrong-key");
        await File.WriteAllTextAsync(key, "a long passphrase kept off the server " + Guid.NewGuid());
        await File.WriteAllTextAsync(wrongKey, "not the passphrase " + Guid.NewGuid());
        var env = PgEnvironment();
        env["BACKUP_DIR"] = backups;
        env["BACKUP_DATABASES"] = "salesmind_identity";
        // An older, world-readable dump left by a previous version is closed too.
        Directory.CreateDirectory(backups);
        var old = Path.Combine(backups, "salesmind_identity-20200101T000000Z.dump");
        await File.WriteAllTextAsync(old, "old");
        File.SetUnixFileMode(old, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        try
        {
            var plain = await Shell.RunAsync("ops/backup.sh", ["once"], env);
            Assert.True(plain.ExitCode == 0, plain.ToString());
            env["BACKUP_ENCRYPTION_KEY_FILE"] = key;
            var encrypted = await Shell.RunAsync("ops/backup.sh", ["once"], env);
            Assert.True(encrypted.ExitCode == 0, encrypted.ToString());

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(backups));
            var files = Directory.GetFiles(backups);
            Assert.Contains(files, f => f.EndsWith(".dump.enc", StringComparison.Ordinal));
            Assert.All(files, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));

            // The encrypted dump is not a readable archive without its key.
            var dump = files.Single(f => f.EndsWith(".dump.enc", StringComparison.Ordinal));
            var raw = await Shell.RunAsync("pg_restore", ["--list", dump], env);
            Assert.NotEqual(0, raw.ExitCode);
            var wrong = await Shell.RunAsync("ops/restore.sh", [dump, scratch], new Dictionary<string, string>(PgEnvironment()) { ["BACKUP_ENCRYPTION_KEY_FILE"] = wrongKey });
            Assert.NotEqual(0, wrong.ExitCode);
            Assert.Contains("could not decrypt", wrong.Output);
            var none = await Shell.RunAsync("ops/restore.sh", [dump, scratch], PgEnvironment());
            Assert.Contains("set BACKUP_ENCRYPTION_KEY_FILE", none.Output);

            var restored = await Shell.RunAsync("ops/restore.sh", [dump, scratch], new Dictionary<string, string>(PgEnvironment()) { ["BACKUP_ENCRYPTION_KEY_FILE"] = key });
            Assert.True(restored.ExitCode == 0, restored.ToString());
            Assert.Contains("users", (await FingerprintAsync(scratch)).Keys);
        }
        finally
        {
            await ExecuteAsync("postgres", $"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)");
            directory.Delete(recursive: true);
        }
    }
}
