using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Npgsql;
using SalesMind.Bench;
using SalesMind.Identity.Security;
using static SalesMind.Bench.Stats;

// The benchmarks of the running local stack (./stack up): see bench/README.md.
// Exit code: 0 when every figure was measured (whatever the verdicts), 1 on a failure to measure, 2 on usage.
var options = Options.Parse(args);
if (options is null || options.Help)
{
    (options is null ? Console.Error : Console.Out).WriteLine(Options.Usage);
    return options is null ? 2 : 0;
}

var root = Stack.FindRoot(options.Root);
var stack = new Stack(root);
var machine = Machine.Describe(root);
var runId = DateTime.UtcNow.ToString("MMddHHmmss", CultureInfo.InvariantCulture);
var startedAt = DateTime.UtcNow;
var cores = Environment.ProcessorCount;
var log = (string s) => Console.WriteLine($"{DateTime.Now:HH:mm:ss} {s}");

log($"SalesMind benchmarks ({(options.Quick ? "quick" : "full")} run {runId}) on {machine}; commit {machine.Commit}");
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
        return 1;
    }
}

if (identityPid is null || notifierPid is null)
{
    Console.Error.WriteLine($"error: Identity or Notifier process not found (pids {identityPid}, {notifierPid}); run ./stack up first");
    return 1;
}

using var memory = new MemorySampler(new Dictionary<string, int> { ["Identity"] = identityPid.Value, ["Notifier"] = notifierPid.Value });
var rows = new List<string[]>();
var details = new List<string>();
var failed = false;

// ---------------------------------------------------------------------------------------------
// 1. Registration: the hashing bound, saturation throughput, latency at half that load.

// At the iteration count Identity uses (PasswordCost is compiled in from services/Identity).
var hasherOptions = Microsoft.Extensions.Options.Options.Create(new PasswordHasherOptions { IterationCount = PasswordCost.Iterations });
log($"1/4 hashing bound: PasswordHasher<T>.HashPassword in-process ({PasswordCost.Iterations:N0} iterations), median of 20");
var hasher = new PasswordHasher<object>(hasherOptions);
var subject = new object();
for (var i = 0; i < 3; i++)
{
    hasher.HashPassword(subject, "Quiet-Harbor-7319");
}

var hashMs = new List<double>();
for (var i = 0; i < 20; i++)
{
    var t = Stopwatch.GetTimestamp();
    hasher.HashPassword(subject, "Quiet-Harbor-7319");
    hashMs.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
}

var hashMedian = Median(hashMs);
var bound = cores * 1000.0 / hashMedian;
log($"    one hash {Ms(hashMedian)} → bound {F(bound)} registrations/s ({cores} cores)");

// Diagnostic: what the machine really does with every core hashing at once (SMT siblings, turbo).
var parallelClock = Stopwatch.StartNew();
Parallel.For(0, cores * 10, new ParallelOptions { MaxDegreeOfParallelism = cores }, _ => new PasswordHasher<object>(hasherOptions).HashPassword(subject, "Quiet-Harbor-7319"));
var parallelRate = cores * 10 / parallelClock.Elapsed.TotalSeconds;
log($"    all {cores} cores hashing at once: {F(parallelRate)} hashes/s ({Pct(parallelRate / bound)} of the bound)");
details.Add($"- hashing: one hash {Ms(hashMedian)} (median of 20, min {Ms(hashMs.Min())}, max {Ms(hashMs.Max())}); {cores} threads hashing at once in-process reach {F(parallelRate)} hashes/s = {Pct(parallelRate / bound)} of the bound");

var cpu = new CpuAccount(new Dictionary<int, string> { [identityPid.Value] = "Identity", [notifierPid.Value] = "Notifier" });
using var registrar = new Registrar(stack.FrontDoor, runId);
var concurrency = options.Concurrency ?? Math.Max(8, cores * 4);
var satWarmup = TimeSpan.FromSeconds(options.Quick ? 2 : 5);
var satDuration = TimeSpan.FromSeconds(options.Quick ? 10 : 30);
log($"    saturation: {concurrency} clients back to back, {satWarmup.TotalSeconds:0} s warm-up + {satDuration.TotalSeconds:0} s measured");
var satPrefix = Registrar.Prefix(runId, "s");
var satTask = registrar.SaturateAsync("s", concurrency, satWarmup, satDuration);
await Task.Delay(satWarmup);
cpu.Start();
var (satResults, satWindow) = await satTask;
var satCpu = CpuAccount.Format(cpu.Stop());
log($"    CPU (cores): {satCpu}");
details.Add($"- saturation CPU, average cores busy: {satCpu}");
var satAccepted = satResults.Count(r => r.Accepted);
var satOther = satResults.Count - satAccepted;
var throughput = satAccepted / satWindow.TotalSeconds;
var satLatency = satResults.Where(r => r.Accepted).Select(r => r.LatencyMs).ToList();
log($"    {F(throughput)} registrations/s ({satAccepted} × 202, {satOther} other), p50 {Ms(Median(satLatency))} under saturation");
if (satOther > 0)
{
    details.Add($"- saturation: {satOther} answers were not 202: {Codes(satResults)}");
}

rows.Add(["1", "registration throughput at saturation", $"{F(throughput)} /s = {Pct(throughput / bound)} of bound {F(bound)} /s (1 hash of {PasswordCost.Iterations:N0} iterations = {Ms(hashMedian)} × {cores} cores)", "≥ 90 % of bound", Verdict(throughput / bound >= 0.90)]);
details.Add($"- saturation: {concurrency} closed-loop clients, {satDuration.TotalSeconds:0} s measured after {satWarmup.TotalSeconds:0} s warm-up; latency under saturation p50 {Ms(Median(satLatency))}, p99 {Ms(Percentile(satLatency, 99))}");
await Drain(satPrefix, await stack.ScalarAsync(stack.IdentityDb, "SELECT count(*) FROM users WHERE username LIKE $1", satPrefix + "%"));

var halfRate = throughput >= 1 ? throughput / 2 : bound / 2;
var halfDuration = TimeSpan.FromSeconds(options.Quick ? 10 : 30);
log($"    half load: {F(halfRate)} registrations/s open-loop for {halfDuration.TotalSeconds:0} s");
var halfResults = await registrar.ConstantRateAsync("h", halfRate, halfDuration);
var halfLatency = halfResults.Where(r => r.Accepted).Select(r => r.LatencyMs).ToList();
var halfOther = halfResults.Count(r => !r.Accepted);
log($"    p50 {Ms(Median(halfLatency))}, p99 {Ms(Percentile(halfLatency, 99))} ({halfOther} not 202)");
rows.Add(["1", $"registration latency at half load ({F(halfRate)} /s, open loop)", $"p50 {Ms(Median(halfLatency))}, p99 {Ms(Percentile(halfLatency, 99))}", "(reported)", "-"]);
if (halfOther > 0)
{
    details.Add($"- half load: {halfOther} answers were not 202: {Codes(halfResults)}");
}

await Drain(Registrar.Prefix(runId, "h"), halfResults.Count(r => r.Accepted));

// ---------------------------------------------------------------------------------------------
// 2. Pipeline: outbox → Postfix, against smtp-source into the same Postfix.

var events = options.Events ?? (options.Quick ? 500 : 2000);
var size = MaildirWatch.SizeOfOne(stack.Maildir, Registrar.Prefix(runId, "")) ?? 4000;
var domain = options.PipelineDomain;
log($"2/4 smtp-source: {events} messages of {size} bytes, 20 sessions, to x@{domain}");
var source = await Pipeline.SmtpSourceAsync(stack, events, 20, size, $"x@{domain}");
if (source.Error is not null)
{
    Console.Error.WriteLine($"error: smtp-source failed: {source.Error}");
    failed = true;
}

log($"    {F(source.PerSecond, "0")} messages/s ({F(source.Seconds, "0.00")} s)");
await Task.Delay(TimeSpan.FromSeconds(3)); // let Postfix empty its queue
var pipelinePrefix = $"bench_{runId}_p";
log($"    pipeline: {events} UserRegistered rows into Identity's outbox → 'sent' deliveries to @{domain}");
cpu.Start();
var pipeline = await Pipeline.RunAsync(stack, pipelinePrefix, events, domain);
var pipelineCpu = CpuAccount.Format(cpu.Stop());
log($"    CPU (cores): {pipelineCpu}");
details.Add($"- pipeline CPU, average cores busy: {pipelineCpu}");
log($"    {F(pipeline.PerSecond, "0")} emails/s ({pipeline.Sent} sent in {F(pipeline.Seconds, "0.00")} s; first after {F(pipeline.FirstSentSeconds, "0.00")} s)");
if (pipeline.NotSent > 0)
{
    details.Add($"- pipeline: {pipeline.NotSent} of {events} events had no 'sent' delivery when the run gave up");
    failed |= pipeline.Sent == 0;
}

var pipelineRatio = pipeline.PerSecond / source.PerSecond;
rows.Add(["2", $"pipeline outbox → Postfix ({events} events)", $"{F(pipeline.PerSecond, "0")} emails/s = {Pct(pipelineRatio)} of smtp-source {F(source.PerSecond, "0")} msg/s", "≥ 50 %", Verdict(pipelineRatio >= 0.50)]);
details.Add($"- pipeline: commit → last delivery row {F(pipeline.LastQueuedSeconds, "0.00")} s (relay + RabbitMQ + consumer + render: {F(events / pipeline.LastQueuedSeconds, "0")} /s); commit → last 'sent' {F(pipeline.Seconds, "0.00")} s (first 'sent' after {F(pipeline.FirstSentSeconds, "0.00")} s); smtp-source -s 20 -l {size} -m {events} to x@{domain}: {F(source.Seconds, "0.00")} s");

// ---------------------------------------------------------------------------------------------
// 3 + 4. End to end at a constant rate, and the services' peak memory during it.

var e2eRate = options.E2eRate;
var e2eDuration = TimeSpan.FromSeconds(options.E2eSeconds ?? (options.Quick ? 15 : 45));
var hwmBefore = memory.Peaks();
var resetOk = Stack.ResetPeak(identityPid.Value) & Stack.ResetPeak(notifierPid.Value);
memory.Restart();
log($"3/4 end to end: {F(e2eRate)} registrations/s for {e2eDuration.TotalSeconds:0} s, commit (202) → file in the Maildir");
var e2eStart = DateTime.UtcNow.AddSeconds(-1);
cpu.Start();
var e2eResults = await registrar.ConstantRateAsync("e", e2eRate, e2eDuration);
details.Add($"- end-to-end CPU, average cores busy: {CpuAccount.Format(cpu.Stop())}");
var e2eAccepted = e2eResults.Where(r => r.Accepted).ToList();
var watch = new MaildirWatch(stack.Maildir, e2eStart);
var waitUntil = Stopwatch.StartNew();
while (waitUntil.Elapsed < TimeSpan.FromSeconds(60))
{
    watch.Refresh();
    if (e2eAccepted.All(r => watch.Arrivals.ContainsKey(r.Email)))
    {
        break;
    }

    await Task.Delay(250);
}

var peaks = memory.Stop();
var hwm = new Dictionary<string, long?>
{
    ["Identity"] = Stack.StatusKb(identityPid.Value, "VmHWM"),
    ["Notifier"] = Stack.StatusKb(notifierPid.Value, "VmHWM"),
};
var e2eLatency = e2eAccepted.Where(r => watch.Arrivals.ContainsKey(r.Email))
    .Select(r => (watch.Arrivals[r.Email] - r.CompletedUtc).TotalMilliseconds).ToList();
var missing = e2eAccepted.Count - e2eLatency.Count;
var p50 = Median(e2eLatency);
var p95 = Percentile(e2eLatency, 95);
var p99 = Percentile(e2eLatency, 99);
log($"    p50 {Ms(p50)}, p95 {Ms(p95)}, p99 {Ms(p99)} over {e2eLatency.Count} emails ({missing} missing after 60 s)");
rows.Add(["3", $"end to end, registration commit → Maildir ({F(e2eRate)} /s, {e2eDuration.TotalSeconds:0} s)", $"p50 {Ms(p50)}, p95 {Ms(p95)}, p99 {Ms(p99)}", "p50 ≤ 250 ms, p99 ≤ 1 s", Verdict(p50 <= 250 && p99 <= 1000 && missing == 0)]);
if (missing > 0)
{
    details.Add($"- end to end: {missing} of {e2eAccepted.Count} accepted registrations had no email after 60 s");
}

details.Add($"- end to end: registration answer p50 {Ms(Median(e2eAccepted.Select(r => r.LatencyMs).ToList()))}, p99 {Ms(Percentile(e2eAccepted.Select(r => r.LatencyMs).ToList(), 99))}; {e2eResults.Count - e2eAccepted.Count} not 202");
details.AddRange(await Breakdown(e2eAccepted, watch));

// 4. Memory
log("4/4 peak memory (VmHWM) during the end-to-end load");
foreach (var service in new[] { "Identity", "Notifier" })
{
    var peakKb = resetOk ? hwm[service] : peaks.GetValueOrDefault(service);
    var mb = peakKb / 1024.0 ?? double.NaN;
    var how = resetOk ? "VmHWM, reset before the load" : "max sampled VmRSS (VmHWM could not be reset)";
    rows.Add(["4", $"{service} peak RSS during end to end", $"{F(mb, "0")} MB ({how})", "≤ 250 MB", Verdict(mb <= 250)]);
    details.Add($"- memory: {service} VmHWM over the whole run before the end-to-end phase {F(hwmBefore.GetValueOrDefault(service) / 1024.0 ?? double.NaN, "0")} MB (includes saturation and pipeline)");
}

// ---------------------------------------------------------------------------------------------
// Report

var report = new StringBuilder();
report.AppendLine(CultureInfo.InvariantCulture, $"## {startedAt:yyyy-MM-dd HH:mm} UTC, {(options.Quick ? "quick" : "full")} run");
report.AppendLine();
report.AppendLine(CultureInfo.InvariantCulture, $"- machine: {machine}");
report.AppendLine(CultureInfo.InvariantCulture, $"- commit: {machine.Commit}");
report.AppendLine(("- command: bench/run " + string.Join(' ', args)).TrimEnd());
report.AppendLine();
report.AppendLine("| # | figure | measured | target | verdict |");
report.AppendLine("|---|---|---|---|---|");
foreach (var row in rows)
{
    report.AppendLine("| " + string.Join(" | ", row) + " |");
}

report.AppendLine();
foreach (var line in details)
{
    report.AppendLine(line);
}

Console.WriteLine();
Console.WriteLine(report.ToString());
if (!options.NoResults)
{
    var results = Path.Combine(root, "bench", "RESULTS.md");
    if (!File.Exists(results))
    {
        await File.WriteAllTextAsync(results, "# Benchmark results\n\nAppended by `bench/run`, newest last. See bench/README.md for what each figure means.\n\n");
    }

    await File.AppendAllTextAsync(results, report + "\n");
    log($"appended to {Path.GetRelativePath(Directory.GetCurrentDirectory(), results)}");
}

return failed ? 1 : 0;

// ---------------------------------------------------------------------------------------------

string Verdict(bool met) => met ? "MET" : "MISSED";

static string Codes(IEnumerable<RegistrationResult> results) =>
    string.Join(", ", results.Where(r => !r.Accepted).GroupBy(r => r.Status?.ToString() ?? "no answer")
        .Select(g => $"{g.Key} × {g.Count()}"));

// Waits until every email of a phase is 'sent', so the next phase starts on a quiet stack.
async Task Drain(string prefix, long expected)
{
    var clock = Stopwatch.StartNew();
    var sent = await stack.WaitForSentAsync(prefix, expected, TimeSpan.FromSeconds(180));
    log($"    drained: {sent}/{expected} emails of this phase sent ({clock.Elapsed.TotalSeconds:0.0} s after the load)");
    if (sent < expected)
    {
        details.Add($"- {prefix}: only {sent} of {expected} emails were 'sent' 180 s after the load");
    }

    await Task.Delay(TimeSpan.FromSeconds(2));
}

// Where the end-to-end time goes: commit → delivery row (relay, broker, consumer, render),
// delivery row → 'sent' (dispatcher, SMTP), 'sent' → Maildir file (Postfix's queue and local delivery).
async Task<List<string>> Breakdown(List<RegistrationResult> accepted, MaildirWatch mail)
{
    var byEmail = accepted.ToDictionary(r => r.Email, StringComparer.OrdinalIgnoreCase);
    var toQueued = new List<double>();
    var toSent = new List<double>();
    var toMail = new List<double>();
    await using var conn = new NpgsqlConnection(stack.NotifierDb);
    await conn.OpenAsync();
    await using var cmd = new NpgsqlCommand("SELECT recipient, created_at, sent_at FROM deliveries WHERE recipient = ANY($1)", conn);
    cmd.Parameters.Add(new NpgsqlParameter { Value = byEmail.Keys.ToArray() });
    await using var reader = await cmd.ExecuteReaderAsync();
    while (await reader.ReadAsync())
    {
        var r = byEmail[reader.GetString(0)];
        var created = reader.GetFieldValue<DateTime>(1);
        toQueued.Add((created - r.CompletedUtc).TotalMilliseconds);
        if (!reader.IsDBNull(2))
        {
            var sentAt = reader.GetFieldValue<DateTime>(2);
            toSent.Add((sentAt - created).TotalMilliseconds);
            if (mail.Arrivals.TryGetValue(r.Email, out var landed))
            {
                toMail.Add((landed - sentAt).TotalMilliseconds);
            }
        }
    }

    string Line(string stage, List<double> v) => $"  - {stage}: p50 {Ms(Median(v))}, p95 {Ms(Percentile(v, 95))}, p99 {Ms(Percentile(v, 99))}";
    return
    [
        "- end-to-end breakdown (from the Notifier's deliveries.created_at / sent_at and the Maildir file times):",
        Line("commit → delivery row (outbox relay, RabbitMQ, consumer, render)", toQueued),
        Line("delivery row → 'sent' (dispatcher, SMTP to Postfix)", toSent),
        Line("'sent' → Maildir file (Postfix queue manager, virtual delivery)", toMail),
    ];
}

namespace SalesMind.Bench
{
    /// <summary>Command-line flags.</summary>
    public sealed record Options
    {
        public const string Usage = """
            usage: bench/run [--quick] [--root DIR] [--concurrency N] [--events N] [--e2e-rate R]
                             [--e2e-seconds S] [--pipeline-domain D] [--no-results]
              --quick             a short form (~2 min instead of ~5)
              --concurrency N     closed-loop clients for the saturation run (default max(8, 4 × cores))
              --events N          events for the pipeline figure (default 2000; quick 500)
              --e2e-rate R        registrations/s for the end-to-end figure (default 10)
              --e2e-seconds S     its length (default 45; quick 15)
              --pipeline-domain D recipients' domain for the pipeline and smtp-source (default discard.test)
              --no-results        do not append to bench/RESULTS.md
            """;

        public bool Quick { get; init; }

        public bool Help { get; init; }

        public string? Root { get; init; }

        public int? Concurrency { get; init; }

        public int? Events { get; init; }

        public double E2eRate { get; init; } = 10;

        public int? E2eSeconds { get; init; }

        public string PipelineDomain { get; init; } = "discard.test";

        public bool NoResults { get; init; }

        public static Options? Parse(string[] args)
        {
            var o = new Options();
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value");
                try
                {
                    o = args[i] switch
                    {
                        "--quick" => o with { Quick = true },
                        "-h" or "--help" => o with { Help = true },
                        "--root" => o with { Root = Next() },
                        "--concurrency" => o with { Concurrency = int.Parse(Next(), CultureInfo.InvariantCulture) },
                        "--events" => o with { Events = int.Parse(Next(), CultureInfo.InvariantCulture) },
                        "--e2e-rate" => o with { E2eRate = double.Parse(Next(), CultureInfo.InvariantCulture) },
                        "--e2e-seconds" => o with { E2eSeconds = int.Parse(Next(), CultureInfo.InvariantCulture) },
                        "--pipeline-domain" => o with { PipelineDomain = Next() },
                        "--no-results" => o with { NoResults = true },
                        _ => throw new FormatException($"unknown flag {args[i]}"),
                    };
                }
                catch (FormatException ex)
                {
                    Console.Error.WriteLine($"error: {ex.Message}");
                    return null;
                }
            }

            return o;
        }
    }

    /// <summary>Samples VmRSS of the services every 200 ms and keeps the maximum per service.</summary>
    public sealed class MemorySampler : IDisposable
    {
        private readonly Dictionary<string, int> _pids;
        private readonly Dictionary<string, long> _max = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public MemorySampler(Dictionary<string, int> pids)
        {
            _pids = pids;
            _loop = Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
                try
                {
                    while (await timer.WaitForNextTickAsync(_stop.Token))
                    {
                        Sample();
                    }
                }
                catch (OperationCanceledException)
                {
                }
            });
        }

        private void Sample()
        {
            lock (_max)
            {
                foreach (var (name, pid) in _pids)
                {
                    if (Stack.StatusKb(pid, "VmRSS") is { } kb && kb > _max.GetValueOrDefault(name))
                    {
                        _max[name] = kb;
                    }
                }
            }
        }

        /// <summary>VmHWM now (peak since start or since the last reset), kB.</summary>
        public Dictionary<string, long?> Peaks() => _pids.ToDictionary(p => p.Key, p => Stack.StatusKb(p.Value, "VmHWM"));

        public void Restart()
        {
            lock (_max)
            {
                _max.Clear();
            }
        }

        /// <summary>The maximum sampled VmRSS since <see cref="Restart"/>, kB.</summary>
        public Dictionary<string, long?> Stop()
        {
            Sample();
            lock (_max)
            {
                return _pids.ToDictionary(p => p.Key, p => _max.TryGetValue(p.Key, out var v) ? v : (long?)null);
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            try
            {
                _loop.Wait();
            }
            catch (AggregateException)
            {
            }

            _stop.Dispose();
        }
    }
}
