using SalesMind.Bench;

// The benchmarks of the running local stack (./stack up): see bench/README.md.
// Exit code: 0 when every figure was measured (whatever the verdicts), 1 on a failure to measure, 2 on usage.
//
// The phases, in the order they run:
//   1  RegistrationPhase.cs  the hashing bound, saturation throughput, latency at half that load
//   2  PipelinePhase.cs      outbox → Postfix, against smtp-source into the same Postfix
//   3  EndToEndPhase.cs      registration commit → Maildir at a constant rate
//   4  MemoryPhase.cs        the services' peak memory during that end-to-end load
//      ResultsReport.cs      the table and its details, printed and appended to bench/RESULTS.md
// BenchRun.cs is what they share (the stack, its services, the report so far); Options.cs the flags.
var options = Options.Parse(args);
if (options is null || options.Help)
{
    (options is null ? Console.Error : Console.Out).WriteLine(Options.Usage);
    return options is null ? 2 : 0;
}

using var run = await BenchRun.OpenAsync(options);
if (run is null)
{
    return 1;
}

await RegistrationPhase.RunAsync(run);
await PipelinePhase.RunAsync(run);

var memory = MemoryPhase.Start(run);
await EndToEndPhase.RunAsync(run, mailArrived: memory.Measure);
memory.Report();

await ResultsReport.WriteAsync(run, args);
return run.Failed ? 1 : 0;
