using static SalesMind.Bench.BenchRun;
using static SalesMind.Bench.Stats;

namespace SalesMind.Bench;

/// <summary>
/// 4. The services' peak memory during the end-to-end load: VmHWM reset just before it, or the
/// highest VmRSS sampled during it where the reset is refused.
/// </summary>
public sealed class MemoryPhase
{
    private static readonly string[] Services = ["Identity", "Notifier"];

    private readonly BenchRun _run;
    private readonly Dictionary<string, long?> _before;
    private readonly bool _resetOk;
    private Dictionary<string, long?> _sampled = [];
    private Dictionary<string, long?> _hwm = [];

    private MemoryPhase(BenchRun run, Dictionary<string, long?> before, bool resetOk)
    {
        _run = run;
        _before = before;
        _resetOk = resetOk;
    }

    /// <summary>Resets the peaks, just before the load.</summary>
    public static MemoryPhase Start(BenchRun run)
    {
        var before = run.Memory.Peaks();
        var resetOk = Stack.ResetPeak(run.IdentityPid) & Stack.ResetPeak(run.NotifierPid);
        run.Memory.Restart();
        return new MemoryPhase(run, before, resetOk);
    }

    /// <summary>Reads the peaks, as soon as the load is over.</summary>
    public void Measure()
    {
        _sampled = _run.Memory.Stop();
        _hwm = new Dictionary<string, long?>
        {
            ["Identity"] = Stack.StatusKb(_run.IdentityPid, "VmHWM"),
            ["Notifier"] = Stack.StatusKb(_run.NotifierPid, "VmHWM"),
        };
    }

    /// <summary>Adds the figures to the report.</summary>
    public void Report()
    {
        Log("4/4 peak memory (VmHWM) during the end-to-end load");
        foreach (var service in Services)
        {
            var peakKb = _resetOk ? _hwm[service] : _sampled.GetValueOrDefault(service);
            var mb = peakKb / 1024.0 ?? double.NaN;
            var how = _resetOk ? "VmHWM, reset before the load" : "max sampled VmRSS (VmHWM could not be reset)";
            _run.Rows.Add(["4", $"{service} peak RSS during end to end", $"{F(mb, "0")} MB ({how})", "≤ 250 MB", Verdict(mb <= 250)]);
            _run.Details.Add($"- memory: {service} VmHWM over the whole run before the end-to-end phase {F(_before.GetValueOrDefault(service) / 1024.0 ?? double.NaN, "0")} MB (includes saturation and pipeline)");
        }
    }
}
