using System.Diagnostics;
using System.Globalization;

namespace SalesMind.Bench;

/// <summary>
/// One run of the benchmarks: the stack it measures, what the phases share (the services'
/// processes, the CPU account, the sign-up client, the memory sampler) and the report so far.
/// </summary>
public sealed class BenchRun : IDisposable
{
    private CpuAccount? _cpu;
    private Registrar? _registrar;

    private BenchRun(Options options, string root, Stack stack, Machine machine, string runId, DateTime startedAt, int identityPid, int notifierPid)
    {
        Options = options;
        Root = root;
        Stack = stack;
        Machine = machine;
        RunId = runId;
        StartedAt = startedAt;
        IdentityPid = identityPid;
        NotifierPid = notifierPid;
        Memory = new MemorySampler(new Dictionary<string, int> { ["Identity"] = identityPid, ["Notifier"] = notifierPid });
    }

    public Options Options { get; }

    public string Root { get; }

    public Stack Stack { get; }

    public Machine Machine { get; }

    public string RunId { get; }

    public DateTime StartedAt { get; }

    public int Cores { get; } = Environment.ProcessorCount;

    public int IdentityPid { get; }

    public int NotifierPid { get; }

    /// <summary>The services' VmRSS, sampled from the start of the run.</summary>
    public MemorySampler Memory { get; }

    /// <summary>The CPU the services, Postfix and this client take during a measured window.</summary>
    public CpuAccount Cpu => _cpu ??= new CpuAccount(new Dictionary<int, string> { [IdentityPid] = "Identity", [NotifierPid] = "Notifier" });

    /// <summary>The sign-up client of the registration and end-to-end phases.</summary>
    public Registrar Registrar => _registrar ??= new Registrar(Stack.FrontDoor, RunId);

    /// <summary>The report's table: #, figure, measured, target, verdict.</summary>
    public List<string[]> Rows { get; } = [];

    /// <summary>The report's lines under the table.</summary>
    public List<string> Details { get; } = [];

    /// <summary>Whether a figure could not be measured (exit code 1).</summary>
    public bool Failed { get; set; }

    /// <summary>Finds the stack and its services; null (with the reason on stderr) when it is not up.</summary>
    public static async Task<BenchRun?> OpenAsync(Options options)
    {
        var root = Stack.FindRoot(options.Root);
        var stack = new Stack(root);
        var machine = Machine.Describe(root);
        var runId = DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture);
        var startedAt = DateTime.UtcNow;

        Log($"SalesMind benchmarks ({(options.Quick ? "quick" : "full")} run {runId}) on {machine}; commit {machine.Commit}");
        var identityPid = stack.ServicePid("Identity");
        var notifierPid = stack.ServicePid("Notifier");
        using (var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
        {
            try
            {
                using var health = await probe.GetAsync(new Uri(stack.FrontDoor, "/api/auth/industries/"));
                health.EnsureSuccessStatusCode();
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                Console.Error.WriteLine($"error: the stack's front door {stack.FrontDoor} does not answer ({ex.Message}); run ./stack up first");
                return null;
            }
        }

        if (identityPid is null || notifierPid is null)
        {
            Console.Error.WriteLine($"error: Identity or Notifier process not found (pids {identityPid}, {notifierPid}); run ./stack up first");
            return null;
        }

        return new BenchRun(options, root, stack, machine, runId, startedAt, identityPid.Value, notifierPid.Value);
    }

    public static void Log(string s) => Console.WriteLine($"{DateTime.Now:HH:mm:ss} {s}");

    public static string Verdict(bool met) => met ? "MET" : "MISSED";

    /// <summary>The answers other than 202, by status: "429 × 3, no answer × 1".</summary>
    public static string Codes(IEnumerable<RegistrationResult> results) =>
        string.Join(", ", results.Where(r => !r.Accepted).GroupBy(r => r.Status?.ToString() ?? "no answer")
            .Select(g => $"{g.Key} × {g.Count()}"));

    /// <summary>Waits until every email of a phase is 'sent', so the next phase starts on a quiet stack.</summary>
    public async Task DrainAsync(string prefix, long expected)
    {
        var clock = Stopwatch.StartNew();
        var sent = await Stack.WaitForSentAsync(prefix, expected, TimeSpan.FromSeconds(180));
        Log($"    drained: {sent}/{expected} emails of this phase sent ({clock.Elapsed.TotalSeconds:0.0} s after the load)");
        if (sent < expected)
        {
            Details.Add($"- {prefix}: only {sent} of {expected} emails were 'sent' 180 s after the load");
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
    }

    public void Dispose()
    {
        _registrar?.Dispose();
        Memory.Dispose();
    }
}
