using System.Globalization;
using System.Text;
using static SalesMind.Bench.BenchRun;

namespace SalesMind.Bench;

/// <summary>The run's report: printed, and appended to bench/RESULTS.md unless --no-results.</summary>
public static class ResultsReport
{
    public static async Task WriteAsync(BenchRun run, string[] args)
    {
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"## {run.StartedAt:yyyy-MM-dd HH:mm} UTC, {(run.Options.Quick ? "quick" : "full")} run");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"- machine: {run.Machine}");
        report.AppendLine(CultureInfo.InvariantCulture, $"- commit: {run.Machine.Commit}");
        report.AppendLine(("- command: bench/run " + string.Join(' ', args)).TrimEnd());
        report.AppendLine();
        report.AppendLine("| # | figure | measured | target | verdict |");
        report.AppendLine("|---|---|---|---|---|");
        foreach (var row in run.Rows)
        {
            report.AppendLine("| " + string.Join(" | ", row) + " |");
        }

        report.AppendLine();
        foreach (var line in run.Details)
        {
            report.AppendLine(line);
        }

        Console.WriteLine();
        Console.WriteLine(report.ToString());
        if (!run.Options.NoResults)
        {
            var results = Path.Combine(run.Root, "bench", "RESULTS.md");
            if (!File.Exists(results))
            {
                await File.WriteAllTextAsync(results, "# Benchmark results\n\nAppended by `bench/run`, newest last. See bench/README.md for what each figure means.\n\n");
            }

            await File.AppendAllTextAsync(results, report + "\n");
            Log($"appended to {Path.GetRelativePath(Directory.GetCurrentDirectory(), results)}");
        }
    }
}
