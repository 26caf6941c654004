namespace SalesMind.Outbox;

/// <summary>
/// A coalescing wake-up for a background loop: any number of <see cref="Set"/> calls before the
/// loop looks again count as one, and the loop also wakes on its own after a timeout.
/// </summary>
public class WakeSignal
{
    private readonly SemaphoreSlim _gate = new(0, 1);

    public void Set()
    {
        try
        {
            _gate.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled; one wake-up covers everything committed so far.
        }
    }

    /// <summary>Waits for a signal or the timeout, whichever comes first.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _gate.WaitAsync(timeout, ct);
}

/// <summary>Wakes the outbox relay: set after a local commit that wrote outbox rows, or on NOTIFY.</summary>
public sealed class OutboxSignal : WakeSignal;
