using System.Collections.Concurrent;

namespace SalesMind.Identity.Sessions;

/// <summary>
/// Slows repeated failed logins down before the lockout bites: after 3 failures for one name or
/// address within 15 minutes, each answer is held back 0.25 s, then 0.5, 1, 2, up to 4 s. Keyed
/// by what was typed, whether or not such an account exists, so the delay reveals nothing about
/// accounts. Per instance (the lockout, in the database, is what holds across instances).
/// </summary>
public sealed class LoginThrottle(TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(4);
    private const int FreeFailures = 3;
    private const int MaxTracked = 100_000;

    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset Since)> _failures = new(StringComparer.Ordinal);

    /// <summary>The delay owed before answering a failed login for <paramref name="identifier"/>.</summary>
    public TimeSpan RecordFailure(string identifier)
    {
        var now = time.GetUtcNow();
        if (_failures.Count > MaxTracked)
        {
            // Someone is spraying names: forget the stale ones rather than grow without bound.
            foreach (var (key, value) in _failures)
            {
                if (now - value.Since > Window)
                {
                    _failures.TryRemove(key, out _);
                }
            }
        }

        var entry = _failures.AddOrUpdate(identifier, (1, now),
            (_, old) => now - old.Since > Window ? (1, now) : (old.Failures + 1, old.Since));
        if (entry.Failures <= FreeFailures)
        {
            return TimeSpan.Zero;
        }

        var delay = TimeSpan.FromMilliseconds(250 * Math.Pow(2, Math.Min(entry.Failures - FreeFailures - 1, 10)));
        return delay < MaxDelay ? delay : MaxDelay;
    }

    public void RecordSuccess(string identifier) => _failures.TryRemove(identifier, out _);
}
