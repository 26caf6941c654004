using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace SalesMind.Bench;

/// <summary>One registration through the front door, timed.</summary>
public sealed record RegistrationResult(string Email, HttpStatusCode? Status, double LatencyMs, DateTime CompletedUtc)
{
    public bool Accepted => Status == HttpStatusCode.Accepted;
}

/// <summary>Signs up unique users at @mail.test through nginx, closed-loop or at a constant arrival rate.</summary>
public sealed class Registrar(Uri frontDoor, string runId) : IDisposable
{
    // Not common, not close to the usernames: passes every password rule.
    private const string Password = "Quiet-Harbor-7319";

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = 512,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        UseProxy = false,
    })
    {
        BaseAddress = frontDoor,
        Timeout = TimeSpan.FromSeconds(60),
    };

    private long _sequence;

    public static string Prefix(string runId, string phase) => $"bench_{runId}_{phase}";

    public async Task<RegistrationResult> RegisterAsync(string phase, long? startTimestamp = null)
    {
        var n = Interlocked.Increment(ref _sequence);
        var username = $"{Prefix(runId, phase)}{n}";
        var email = $"{username}@mail.test";
        var json = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["username"] = username,
            ["email"] = email,
            ["password"] = Password,
            ["industry"] = "software",
            ["locale"] = (n & 1) == 0 ? "ja" : "en",
        });
        var started = startTimestamp ?? Stopwatch.GetTimestamp();
        try
        {
            using var content = new StringContent(json, Encoding.UTF8, "application/json");
            using var response = await _http.PostAsync("/api/auth/register/", content);
            await response.Content.ReadAsByteArrayAsync();
            var now = DateTime.UtcNow;
            return new RegistrationResult(email, response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds, now);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return new RegistrationResult(email, null, Stopwatch.GetElapsedTime(started).TotalMilliseconds, DateTime.UtcNow);
        }
    }

    /// <summary>
    /// Closed loop: <paramref name="concurrency"/> workers register back to back for
    /// <paramref name="warmup"/> (not counted) and then <paramref name="duration"/>. Returns the
    /// results completed inside the measured window and its exact length.
    /// </summary>
    public async Task<(List<RegistrationResult> Results, TimeSpan Window)> SaturateAsync(
        string phase, int concurrency, TimeSpan warmup, TimeSpan duration)
    {
        var results = new List<RegistrationResult>();
        var clock = Stopwatch.StartNew();
        var measuredFrom = warmup;
        var stopAt = warmup + duration;
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            await Task.Yield();
            while (clock.Elapsed < stopAt)
            {
                var r = await RegisterAsync(phase);
                var at = clock.Elapsed;
                if (at >= measuredFrom && at <= stopAt)
                {
                    lock (results)
                    {
                        results.Add(r);
                    }
                }
            }
        }).ToArray();
        await Task.WhenAll(workers);
        return (results, duration);
    }

    /// <summary>
    /// Open loop: one registration every 1/<paramref name="rate"/> s for <paramref name="duration"/>,
    /// whether or not earlier ones have answered. Latency counts from the scheduled start, so a
    /// stall is not hidden (no coordinated omission).
    /// </summary>
    public async Task<List<RegistrationResult>> ConstantRateAsync(string phase, double rate, TimeSpan duration)
    {
        var count = (int)Math.Round(rate * duration.TotalSeconds);
        var tasks = new List<Task<RegistrationResult>>(count);
        var t0 = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var due = t0 + (long)(i / rate * Stopwatch.Frequency);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            }

            tasks.Add(Task.Run(() => RegisterAsync(phase, due)));
        }

        return [.. await Task.WhenAll(tasks)];
    }

    public void Dispose() => _http.Dispose();
}
