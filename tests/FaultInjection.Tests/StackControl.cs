using System.Diagnostics;
using SalesMind.TestSupport;
using Xunit.Abstractions;

namespace SalesMind.FaultInjection.Tests;

/// <summary>Drives the local stack's parts through <c>./stack</c>: the same commands an operator has.</summary>
public sealed class StackControl(ITestOutputHelper output, Stopwatch clock)
{
    public async Task RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(Stack.RepoRoot, "stack"))
        {
            WorkingDirectory = Stack.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Log($"./stack {string.Join(' ', args)} (exit {process.ExitCode})");
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"./stack {string.Join(' ', args)} failed:\n{await stdout}\n{await stderr}");
        }
    }

    public void Log(string line) => output.WriteLine($"[{clock.Elapsed:mm\\:ss\\.f}] {line}");
}
