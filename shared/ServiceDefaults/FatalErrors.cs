using Microsoft.Extensions.Options;

namespace SalesMind.ServiceDefaults;

/// <summary>
/// How a service process ends when an exception escapes: its reason on one line of standard
/// error and exit code 1. Left to the runtime, an unhandled exception ends in abort(): exit
/// code 134, and 139 when dotnet is a container's PID 1 (the kernel does not deliver SIGABRT
/// to a PID namespace's init, so glibc's abort() falls back to an instruction that faults), which
/// reads like a segfault and puts the reason under a stack trace.
/// </summary>
public static class FatalErrors
{
    private static int _installed;

    /// <summary>From now on an unhandled exception prints its one line and exits with 1 (idempotent).</summary>
    public static void ExitWithReason()
    {
        if (Interlocked.Exchange(ref _installed, 1) == 1)
        {
            return;
        }

        AppDomain.CurrentDomain.UnhandledException += static (_, e) =>
        {
            var ex = e.ExceptionObject as Exception;
            Console.Error.WriteLine(Describe(AppDomain.CurrentDomain.FriendlyName, ex));
            // A refused start says all in its message; anything else is a bug, and its stack helps.
            if (ex is not null && !IsRefusedStart(ex))
            {
                Console.Error.WriteLine(ex);
            }

            Console.Error.Flush();
            Environment.Exit(1);
        };
    }

    /// <summary>The one line printed for <paramref name="ex"/>: the process, then the reason with its line breaks folded.</summary>
    public static string Describe(string process, Exception? ex)
    {
        var reason = ex switch
        {
            null => "stopped by an unhandled error",
            _ when IsRefusedStart(ex) => ex.Message,
            _ => $"stopped by an unhandled {ex.GetType().Name}: {ex.Message}",
        };
        return $"{process}: {string.Join(' ', reason.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))}";
    }

    /// <summary>Settings the service will not run with: its own start checks and options validated at start.</summary>
    private static bool IsRefusedStart(Exception ex) => ex is RefusedStartException or OptionsValidationException;
}

/// <summary>The service will not start with its settings; the message names each one to fix.</summary>
public sealed class RefusedStartException(string message) : InvalidOperationException(message);
