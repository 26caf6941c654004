using System.Diagnostics;
using Npgsql;
using static SalesMind.Bench.BenchRun;
using static SalesMind.Bench.Stats;

namespace SalesMind.Bench;

/// <summary>3. End to end at a constant rate: registration commit (202) → file in the Maildir.</summary>
public static class EndToEndPhase
{
    /// <summary>Runs the load; <paramref name="mailArrived"/> is called as soon as its emails are in (or after 60 s).</summary>
    public static async Task RunAsync(BenchRun run, Action mailArrived)
    {
        var options = run.Options;
        var e2eRate = options.E2eRate;
        var e2eDuration = TimeSpan.FromSeconds(options.E2eSeconds ?? (options.Quick ? 15 : 45));
        Log($"3/4 end to end: {F(e2eRate)} registrations/s for {e2eDuration.TotalSeconds:0} s, commit (202) → file in the Maildir");
        var e2eStart = DateTime.UtcNow.AddSeconds(-1);
        run.Cpu.Start();
        var e2eResults = await run.Registrar.ConstantRateAsync("e", e2eRate, e2eDuration);
        run.Details.Add($"- end-to-end CPU, average cores busy: {CpuAccount.Format(run.Cpu.Stop())}");
        var e2eAccepted = e2eResults.Where(r => r.Accepted).ToList();
        var watch = new MaildirWatch(run.Stack.Maildir, e2eStart);
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

        mailArrived();
        var e2eLatency = e2eAccepted.Where(r => watch.Arrivals.ContainsKey(r.Email))
            .Select(r => (watch.Arrivals[r.Email] - r.CompletedUtc).TotalMilliseconds).ToList();
        var missing = e2eAccepted.Count - e2eLatency.Count;
        var p50 = Median(e2eLatency);
        var p95 = Percentile(e2eLatency, 95);
        var p99 = Percentile(e2eLatency, 99);
        Log($"    p50 {Ms(p50)}, p95 {Ms(p95)}, p99 {Ms(p99)} over {e2eLatency.Count} emails ({missing} missing after 60 s)");
        run.Rows.Add(["3", $"end to end, registration commit → Maildir ({F(e2eRate)} /s, {e2eDuration.TotalSeconds:0} s)", $"p50 {Ms(p50)}, p95 {Ms(p95)}, p99 {Ms(p99)}", "p50 ≤ 250 ms, p99 ≤ 1 s", Verdict(p50 <= 250 && p99 <= 1000 && missing == 0)]);
        if (missing > 0)
        {
            run.Details.Add($"- end to end: {missing} of {e2eAccepted.Count} accepted registrations had no email after 60 s");
        }

        run.Details.Add($"- end to end: registration answer p50 {Ms(Median(e2eAccepted.Select(r => r.LatencyMs).ToList()))}, p99 {Ms(Percentile(e2eAccepted.Select(r => r.LatencyMs).ToList(), 99))}; {e2eResults.Count - e2eAccepted.Count} not 202");
        run.Details.AddRange(await BreakdownAsync(run.Stack, e2eAccepted, watch));
    }

    // Where the end-to-end time goes: commit → delivery row (relay, broker, consumer, render),
    // delivery row → 'sent' (dispatcher, SMTP), 'sent' → Maildir file (Postfix's queue and local delivery).
    private static async Task<List<string>> BreakdownAsync(Stack stack, List<RegistrationResult> accepted, MaildirWatch mail)
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

        static string Line(string stage, List<double> v) => $"  - {stage}: p50 {Ms(Median(v))}, p95 {Ms(Percentile(v, 95))}, p99 {Ms(Percentile(v, 99))}";
        return
        [
            "- end-to-end breakdown (from the Notifier's deliveries.created_at / sent_at and the Maildir file times):",
            Line("commit → delivery row (outbox relay, RabbitMQ, consumer, render)", toQueued),
            Line("delivery row → 'sent' (dispatcher, SMTP to Postfix)", toSent),
            Line("'sent' → Maildir file (Postfix queue manager, virtual delivery)", toMail),
        ];
    }
}
