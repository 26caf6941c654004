using System.Globalization;

namespace SalesMind.Bench;

/// <summary>
/// Where the CPU went during a phase: CPU time per part of the stack (processes in the bench's
/// own network namespace, grouped by what they are), from /proc/&lt;pid&gt;/stat, plus the machine's
/// total busy time from /proc/stat (which includes anything else running on the machine).
/// Children reaped by a counted process (Postfix's workers, PostgreSQL's backends) count for it.
/// </summary>
public sealed class CpuAccount
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    private static readonly HashSet<string> PostfixNames =
    [
        "master", "smtpd", "qmgr", "cleanup", "trivial-rewrite", "virtual", "discard", "anvil", "tlsmgr", "postlogd",
        "pickup", "proxymap", "bounce", "smtp", "error", "retry", "scache", "showq", "lmtp", "local", "pipe",
    ];

    private readonly Dictionary<int, string> _named;
    private readonly string? _netns = NetNs(Environment.ProcessId);
    private Dictionary<int, (string Group, long Ticks)> _start = [];
    private long _machineBusyStart;
    private DateTime _startedAt;

    public CpuAccount(Dictionary<int, string> named)
    {
        _named = named;
        _named[Environment.ProcessId] = "bench client";
    }

    public void Start()
    {
        _start = Snapshot();
        _machineBusyStart = MachineBusy();
        _startedAt = DateTime.UtcNow;
    }

    /// <summary>Cores busy on average per group since <see cref="Start"/>, largest first, then the machine's total.</summary>
    public (List<(string Group, double Cores)> Groups, double MachineCores, double Seconds) Stop()
    {
        var end = Snapshot();
        var seconds = (DateTime.UtcNow - _startedAt).TotalSeconds;
        var used = new Dictionary<string, long>();
        foreach (var (pid, (group, ticks)) in end)
        {
            var before = _start.TryGetValue(pid, out var s) ? s.Ticks : 0;
            used[group] = used.GetValueOrDefault(group) + Math.Max(0, ticks - before);
        }

        var groups = used.Select(g => (g.Key, g.Value / TicksPerSecond / seconds))
            .Where(g => g.Item2 >= 0.005).OrderByDescending(g => g.Item2).ToList();
        var machine = (MachineBusy() - _machineBusyStart) / TicksPerSecond / seconds;
        return (groups, machine, seconds);
    }

    public static string Format((List<(string Group, double Cores)> Groups, double MachineCores, double Seconds) r)
    {
        var inside = r.Groups.Sum(g => g.Cores);
        var parts = string.Join(", ", r.Groups.Select(g => $"{g.Group} {Stats.F(g.Cores, "0.00")}"));
        return $"{parts}; stack + bench {Stats.F(inside, "0.00")}, whole machine {Stats.F(r.MachineCores, "0.00")} of {Environment.ProcessorCount} cores " +
               $"(≈ {Stats.F(Math.Max(0, r.MachineCores - inside), "0.00")} outside the bench's network namespace)";
    }

    private Dictionary<int, (string, long)> Snapshot()
    {
        var result = new Dictionary<int, (string, long)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                if (_netns is not null && NetNs(pid) != _netns)
                {
                    continue;
                }

                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                var comm = stat[(open + 1)..close];
                var f = stat[(close + 2)..].Split(' ');
                long Field(int i) => long.Parse(f[i], CultureInfo.InvariantCulture);
                var ticks = Field(11) + Field(12) + Field(13) + Field(14); // utime stime cutime cstime
                result[pid] = (Group(pid, comm), ticks);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
            }
        }

        return result;
    }

    private string Group(int pid, string comm)
    {
        if (_named.TryGetValue(pid, out var name))
        {
            return name;
        }

        return comm switch
        {
            "postgres" => "PostgreSQL",
            "beam.smp" or "erl_child_setup" or "epmd" or "inet_gethost" or "rabbitmq-server" => "RabbitMQ",
            "nginx" => "nginx",
            "dotnet" => "other dotnet (build server?)",
            _ when PostfixNames.Contains(comm) => "Postfix",
            _ => "other",
        };
    }

    private static string? NetNs(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/ns/net").LinkTarget;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long MachineBusy()
    {
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // user nice system idle iowait irq softirq steal: busy = all but idle and iowait
        long V(int i) => long.Parse(cpu[i], CultureInfo.InvariantCulture);
        return V(1) + V(2) + V(3) + V(6) + V(7) + V(8);
    }
}
