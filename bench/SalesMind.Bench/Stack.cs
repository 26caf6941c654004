using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace SalesMind.Bench;

/// <summary>Where the local stack keeps things (see ./stack), and small helpers to look at it.</summary>
public sealed class Stack
{
    public Stack(string root)
    {
        Root = root;
        Maildir = Path.Combine(root, ".stack", "mail");
        RunDir = Path.Combine(root, ".stack", "run");
    }

    public string Root { get; }

    public string Maildir { get; }

    public string RunDir { get; }

    public Uri FrontDoor { get; init; } = new("http://127.0.0.1:8080");

    public string SmtpHost { get; init; } = "127.0.0.1";

    public int SmtpPort { get; init; } = 2525;

    public string PgBase { get; init; } = "Host=127.0.0.1;Port=5433;Username=postgres;Pooling=true;Maximum Pool Size=4";

    public string IdentityDb => $"{PgBase};Database=salesmind_identity";

    public string NotifierDb => $"{PgBase};Database=salesmind_notifier";

    /// <summary>The repository root: the nearest folder above the working directory holding SalesMind.sln.</summary>
    public static string FindRoot(string? given)
    {
        if (!string.IsNullOrEmpty(given))
        {
            return Path.GetFullPath(given);
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SalesMind.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("SalesMind.sln not found above the working directory; pass --root <repository>");
    }

    /// <summary>
    /// The pid of a service started by ./stack: its pid file, checked against the command line;
    /// else the process running SalesMind.{Name}.dll whose working directory is this repository
    /// (another stack on the machine has another working directory).
    /// </summary>
    public int? ServicePid(string service)
    {
        var dll = $"SalesMind.{service}.dll";
        var pidFile = Path.Combine(RunDir, $"{service.ToLowerInvariant()}.pid");
        if (File.Exists(pidFile) &&
            int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) &&
            CommandLine(pid).Contains(dll, StringComparison.Ordinal))
        {
            return pid;
        }

        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var p))
            {
                continue;
            }

            try
            {
                if (CommandLine(p).Contains(dll, StringComparison.Ordinal) &&
                    string.Equals(new DirectoryInfo($"/proc/{p}/cwd").LinkTarget?.TrimEnd('/'), Root.TrimEnd('/'), StringComparison.Ordinal))
                {
                    return p;
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return null;
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>A field of /proc/&lt;pid&gt;/status in kB (VmRSS, VmHWM), or null.</summary>
    public static long? StatusKb(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    var digits = new string(line.AsSpan(field.Length + 1).ToArray().Where(char.IsDigit).ToArray());
                    return long.Parse(digits, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    /// <summary>MemTotal from /proc/meminfo, in kB.</summary>
    public static long StatusKbFromMeminfo()
    {
        var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return long.Parse(new string(line.Where(char.IsDigit).ToArray()), CultureInfo.InvariantCulture);
    }

    /// <summary>Resets VmHWM to the current RSS (clear_refs 5, root only). False when not allowed.</summary>
    public static bool ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public async Task<long> ScalarAsync(string connectionString, string sql, params object[] args)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        }

        var result = await cmd.ExecuteScalarAsync();
        return result is null or DBNull ? 0 : Convert.ToInt64(result, CultureInfo.InvariantCulture);
    }

    /// <summary>Waits until at least <paramref name="expected"/> deliveries to addresses starting with the prefix were accepted by the mail server ('sent', and maybe 'delivered' since).</summary>
    public async Task<long> WaitForSentAsync(string recipientPrefix, long expected, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        long sent = 0;
        while (clock.Elapsed < timeout)
        {
            sent = await ScalarAsync(NotifierDb,
                "SELECT count(*) FROM deliveries WHERE recipient LIKE $1 AND sent_at IS NOT NULL", recipientPrefix + "%");
            if (sent >= expected)
            {
                break;
            }

            await Task.Delay(250);
        }

        return sent;
    }

    public static string Run(string file, string args, string? workingDirectory = null)
    {
        try
        {
            var psi = new ProcessStartInfo(file, args)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory(),
            };
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return output.Trim();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "";
        }
    }
}

/// <summary>The machine the run happened on.</summary>
public sealed record Machine(string Cpu, int Cores, double RamGb, string Commit)
{
    public static Machine Describe(string root)
    {
        var cpu = File.ReadLines("/proc/cpuinfo")
            .FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        var memKb = Stack.StatusKbFromMeminfo();
        var commit = Stack.Run("git", "rev-parse --short HEAD", root);
        if (commit.Length == 0)
        {
            commit = "unknown";
        }
        else if (Stack.Run("git", "status --porcelain --untracked-files=no", root).Length > 0)
        {
            commit += " (+ uncommitted changes)";
        }

        return new Machine(cpu, Environment.ProcessorCount, memKb / 1024.0 / 1024.0, commit);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Cpu}, {Cores} cores, {RamGb:0.0} GB RAM");
}
