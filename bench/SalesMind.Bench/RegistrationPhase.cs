using System.Diagnostics;
using Microsoft.AspNetCore.Identity;
using SalesMind.Identity.Security;
using static SalesMind.Bench.BenchRun;
using static SalesMind.Bench.Stats;

namespace SalesMind.Bench;

/// <summary>1. Registration: the hashing bound, saturation throughput, latency at half that load.</summary>
public static class RegistrationPhase
{
    private const string Password = "Quiet-Harbor-7319";

    public static async Task RunAsync(BenchRun run)
    {
        var (bound, hashMedian) = HashingBound(run);
        var throughput = await SaturationAsync(run, bound, hashMedian);
        await HalfLoadAsync(run, throughput >= 1 ? throughput / 2 : bound / 2);
    }

    /// <summary>Registrations/s the cores could hash at most, and one hash's median time.</summary>
    private static (double Bound, double HashMedian) HashingBound(BenchRun run)
    {
        var cores = run.Cores;
        // At the iteration count Identity uses (PasswordCost is compiled in from services/Identity).
        var hasherOptions = Microsoft.Extensions.Options.Options.Create(new PasswordHasherOptions { IterationCount = PasswordCost.Iterations });
        Log($"1/4 hashing bound: PasswordHasher<T>.HashPassword in-process ({PasswordCost.Iterations:N0} iterations), median of 20");
        var hasher = new PasswordHasher<object>(hasherOptions);
        var subject = new object();
        for (var i = 0; i < 3; i++)
        {
            hasher.HashPassword(subject, Password);
        }

        var hashMs = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            var t = Stopwatch.GetTimestamp();
            hasher.HashPassword(subject, Password);
            hashMs.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }

        var hashMedian = Median(hashMs);
        var bound = cores * 1000.0 / hashMedian;
        Log($"    one hash {Ms(hashMedian)} → bound {F(bound)} registrations/s ({cores} cores)");

        // Diagnostic: what the machine really does with every core hashing at once (SMT siblings, turbo).
        var parallelClock = Stopwatch.StartNew();
        Parallel.For(0, cores * 10, new ParallelOptions { MaxDegreeOfParallelism = cores }, _ => new PasswordHasher<object>(hasherOptions).HashPassword(subject, Password));
        var parallelRate = cores * 10 / parallelClock.Elapsed.TotalSeconds;
        Log($"    all {cores} cores hashing at once: {F(parallelRate)} hashes/s ({Pct(parallelRate / bound)} of the bound)");
        run.Details.Add($"- hashing: one hash {Ms(hashMedian)} (median of 20, min {Ms(hashMs.Min())}, max {Ms(hashMs.Max())}); {cores} threads hashing at once in-process reach {F(parallelRate)} hashes/s = {Pct(parallelRate / bound)} of the bound");
        return (bound, hashMedian);
    }

    /// <summary>Closed-loop clients back to back; returns the accepted registrations/s.</summary>
    private static async Task<double> SaturationAsync(BenchRun run, double bound, double hashMedian)
    {
        var options = run.Options;
        var cores = run.Cores;
        var concurrency = options.Concurrency ?? Math.Max(8, cores * 4);
        var satWarmup = TimeSpan.FromSeconds(options.Quick ? 2 : 5);
        var satDuration = TimeSpan.FromSeconds(options.Quick ? 10 : 30);
        var cpu = run.Cpu;
        var registrar = run.Registrar;
        Log($"    saturation: {concurrency} clients back to back, {satWarmup.TotalSeconds:0} s warm-up + {satDuration.TotalSeconds:0} s measured");
        var satPrefix = Registrar.Prefix(run.RunId, "s");
        var satTask = registrar.SaturateAsync("s", concurrency, satWarmup, satDuration);
        await Task.Delay(satWarmup);
        cpu.Start();
        var (satResults, satWindow) = await satTask;
        var satCpu = CpuAccount.Format(cpu.Stop());
        Log($"    CPU (cores): {satCpu}");
        run.Details.Add($"- saturation CPU, average cores busy: {satCpu}");
        var satAccepted = satResults.Count(r => r.Accepted);
        var satOther = satResults.Count - satAccepted;
        var throughput = satAccepted / satWindow.TotalSeconds;
        var satLatency = satResults.Where(r => r.Accepted).Select(r => r.LatencyMs).ToList();
        Log($"    {F(throughput)} registrations/s ({satAccepted} × 202, {satOther} other), p50 {Ms(Median(satLatency))} under saturation");
        if (satOther > 0)
        {
            run.Details.Add($"- saturation: {satOther} answers were not 202: {Codes(satResults)}");
        }

        run.Rows.Add(["1", "registration throughput at saturation", $"{F(throughput)} /s = {Pct(throughput / bound)} of bound {F(bound)} /s (1 hash of {PasswordCost.Iterations:N0} iterations = {Ms(hashMedian)} × {cores} cores)", "≥ 90 % of bound", Verdict(throughput / bound >= 0.90)]);
        run.Details.Add($"- saturation: {concurrency} closed-loop clients, {satDuration.TotalSeconds:0} s measured after {satWarmup.TotalSeconds:0} s warm-up; latency under saturation p50 {Ms(Median(satLatency))}, p99 {Ms(Percentile(satLatency, 99))}");
        await run.DrainAsync(satPrefix, await run.Stack.ScalarAsync(run.Stack.IdentityDb, "SELECT count(*) FROM users WHERE username LIKE $1", satPrefix + "%"));
        return throughput;
    }

    /// <summary>Latency at an open-loop constant rate (half the saturation throughput).</summary>
    private static async Task HalfLoadAsync(BenchRun run, double halfRate)
    {
        var halfDuration = TimeSpan.FromSeconds(run.Options.Quick ? 10 : 30);
        Log($"    half load: {F(halfRate)} registrations/s open-loop for {halfDuration.TotalSeconds:0} s");
        var halfResults = await run.Registrar.ConstantRateAsync("h", halfRate, halfDuration);
        var halfLatency = halfResults.Where(r => r.Accepted).Select(r => r.LatencyMs).ToList();
        var halfOther = halfResults.Count(r => !r.Accepted);
        Log($"    p50 {Ms(Median(halfLatency))}, p99 {Ms(Percentile(halfLatency, 99))} ({halfOther} not 202)");
        run.Rows.Add(["1", $"registration latency at half load ({F(halfRate)} /s, open loop)", $"p50 {Ms(Median(halfLatency))}, p99 {Ms(Percentile(halfLatency, 99))}", "(reported)", "-"]);
        if (halfOther > 0)
        {
            run.Details.Add($"- half load: {halfOther} answers were not 202: {Codes(halfResults)}");
        }

        await run.DrainAsync(Registrar.Prefix(run.RunId, "h"), halfResults.Count(r => r.Accepted));
    }
}
