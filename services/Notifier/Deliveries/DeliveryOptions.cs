using System.ComponentModel.DataAnnotations;

namespace SalesMind.Notifier.Deliveries;

/// <summary>How deliveries are dispatched and retried (section <c>Deliveries</c>).</summary>
public sealed class DeliveryOptions
{
    public const string Section = "Deliveries";

    /// <summary>Waits before attempt 2, 3, …; when they run out the delivery is abandoned.</summary>
    [MinLength(1)]
    public TimeSpan[] RetryDelays { get; set; } =
    [
        TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(1), TimeSpan.FromHours(3), TimeSpan.FromHours(6), TimeSpan.FromHours(12),
    ];

    /// <summary>Fallback poll for due retries and for deliveries written by other instances.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a dispatcher owns a delivery it is sending.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan LockDuration { get; set; } = TimeSpan.FromMinutes(2);

    [Range(1, 1000)]
    public int BatchSize { get; set; } = 16;

    public int MaxAttempts => RetryDelays.Length + 1;

    /// <summary>The wait after <paramref name="attempts"/> failed attempts, with ±10 % jitter so retries spread out.</summary>
    public TimeSpan DelayAfter(int attempts)
    {
        var delay = RetryDelays[Math.Clamp(attempts - 1, 0, RetryDelays.Length - 1)];
        return delay * (0.9 + Random.Shared.NextDouble() * 0.2);
    }
}
