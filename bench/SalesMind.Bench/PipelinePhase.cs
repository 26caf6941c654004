using static SalesMind.Bench.BenchRun;
using static SalesMind.Bench.Stats;

namespace SalesMind.Bench;

/// <summary>2. Pipeline: outbox → Postfix, against smtp-source into the same Postfix.</summary>
public static class PipelinePhase
{
    public static async Task RunAsync(BenchRun run)
    {
        var options = run.Options;
        var stack = run.Stack;
        var events = options.Events ?? (options.Quick ? 500 : 2000);
        var size = MaildirWatch.SizeOfOne(stack.Maildir, Registrar.Prefix(run.RunId, "")) ?? 4000;
        var domain = options.PipelineDomain;
        Log($"2/4 smtp-source: {events} messages of {size} bytes, 20 sessions, to x@{domain}");
        var source = await Pipeline.SmtpSourceAsync(stack, events, 20, size, $"x@{domain}");
        if (source.Error is not null)
        {
            Console.Error.WriteLine($"error: smtp-source failed: {source.Error}");
            run.Failed = true;
        }

        Log($"    {F(source.PerSecond, "0")} messages/s ({F(source.Seconds, "0.00")} s)");
        await Task.Delay(TimeSpan.FromSeconds(3)); // let Postfix empty its queue
        var pipelinePrefix = $"bench_{run.RunId}_p";
        Log($"    pipeline: {events} UserRegistered rows into Identity's outbox → 'sent' deliveries to @{domain}");
        run.Cpu.Start();
        var pipeline = await Pipeline.RunAsync(stack, pipelinePrefix, events, domain);
        var pipelineCpu = CpuAccount.Format(run.Cpu.Stop());
        Log($"    CPU (cores): {pipelineCpu}");
        run.Details.Add($"- pipeline CPU, average cores busy: {pipelineCpu}");
        Log($"    {F(pipeline.PerSecond, "0")} emails/s ({pipeline.Sent} sent in {F(pipeline.Seconds, "0.00")} s; first after {F(pipeline.FirstSentSeconds, "0.00")} s)");
        if (pipeline.NotSent > 0)
        {
            run.Details.Add($"- pipeline: {pipeline.NotSent} of {events} events had no 'sent' delivery when the run gave up");
            run.Failed |= pipeline.Sent == 0;
        }

        var pipelineRatio = pipeline.PerSecond / source.PerSecond;
        run.Rows.Add(["2", $"pipeline outbox → Postfix ({events} events)", $"{F(pipeline.PerSecond, "0")} emails/s = {Pct(pipelineRatio)} of smtp-source {F(source.PerSecond, "0")} msg/s", "≥ 50 %", Verdict(pipelineRatio >= 0.50)]);
        run.Details.Add($"- pipeline: commit → last delivery row {F(pipeline.LastQueuedSeconds, "0.00")} s (relay + RabbitMQ + consumer + render: {F(events / pipeline.LastQueuedSeconds, "0")} /s); commit → last 'sent' {F(pipeline.Seconds, "0.00")} s (first 'sent' after {F(pipeline.FirstSentSeconds, "0.00")} s); smtp-source -s 20 -l {size} -m {events} to x@{domain}: {F(source.Seconds, "0.00")} s");
    }
}
