using System.Diagnostics;
using SalesMind.TestSupport;

namespace SalesMind.Operations.Tests;

/// <summary>Runs the repository's operator scripts as an operator would.</summary>
public static class Shell
{
    public sealed record Result(int ExitCode, string Output)
    {
        public override string ToString() => $"exit {ExitCode}:\n{Output}";
    }

    public static async Task<Result> RunAsync(string file, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        // A repository script by its path; anything else (pg_dump) from PATH.
        var start = new ProcessStartInfo(file.Contains('/') ? Path.Combine(Stack.RepoRoot, file) : file)
        {
            WorkingDirectory = Stack.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(cts.Token);
        return new Result(process.ExitCode, (await output) + (await error));
    }
}
