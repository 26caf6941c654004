namespace SalesMind.Bench;

/// <summary>Samples VmRSS of the services every 200 ms and keeps the maximum per service.</summary>
public sealed class MemorySampler : IDisposable
{
    private readonly Dictionary<string, int> _pids;
    private readonly Dictionary<string, long> _max = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public MemorySampler(Dictionary<string, int> pids)
    {
        _pids = pids;
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    Sample();
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    private void Sample()
    {
        lock (_max)
        {
            foreach (var (name, pid) in _pids)
            {
                if (Stack.StatusKb(pid, "VmRSS") is { } kb && kb > _max.GetValueOrDefault(name))
                {
                    _max[name] = kb;
                }
            }
        }
    }

    /// <summary>VmHWM now (peak since start or since the last reset), kB.</summary>
    public Dictionary<string, long?> Peaks() => _pids.ToDictionary(p => p.Key, p => Stack.StatusKb(p.Value, "VmHWM"));

    public void Restart()
    {
        lock (_max)
        {
            _max.Clear();
        }
    }

    /// <summary>The maximum sampled VmRSS since <see cref="Restart"/>, kB.</summary>
    public Dictionary<string, long?> Stop()
    {
        Sample();
        lock (_max)
        {
            return _pids.ToDictionary(p => p.Key, p => _max.TryGetValue(p.Key, out var v) ? v : (long?)null);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop.Wait();
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }
}
