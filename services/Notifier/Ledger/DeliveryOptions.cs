using System.ComponentModel.DataAnnotations;

namespace SalesMind.Notifier.Ledger;

/// <summary>How deliveries are dispatched and retried (section <c>Deliveries</c>).</summary>
public sealed class DeliveryOptions
{
    public const string Section = "Deliveries";

    /// <summary>The schedule used when none is configured.</summary>
    public static readonly TimeSpan[] DefaultRetryDelays =
    [
        TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(1), TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(12),
    ];

    /// <summary>
    /// Waits before attempt 2, 3, …; when they run out the delivery is abandoned. Empty here
    /// and filled with <see cref="DefaultRetryDelays"/> after binding: the configuration binder
    /// appends to an array that already has items, so a default here would be added to.
    /// </summary>
    public TimeSpan[] RetryDelays { get; set; } = [];

    /// <summary>Fallback poll for due retries and for deliveries written by other instances.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a dispatcher owns a delivery it is sending; it must outlast the slowest attempt
    /// (three tries of Smtp:Timeout), or a live send could be taken for a dead one.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan LockDuration { get; set; } = TimeSpan.FromMinutes(2);

    public int MaxAttempts => RetryDelays.Length + 1;

    /// <summary>The wait after <paramref name="attempts"/> failed attempts, with ±10 % jitter so retries spread out.</summary>
    public TimeSpan DelayAfter(int attempts)
    {
        var delay = RetryDelays[Math.Clamp(attempts - 1, 0, RetryDelays.Length - 1)];
        return delay * (0.9 + Random.Shared.NextDouble() * 0.2);
    }
}
