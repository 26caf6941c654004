using System.Threading.Channels;
using Microsoft.AspNetCore.Identity;

namespace SalesMind.Identity.Accounts;

/// <summary>
/// Password hashing on dedicated threads, one per core. A hash is ~60–110 ms of pure CPU: done
/// on the thread pool, a burst of sign-ups would occupy every pool thread and starve the rest of
/// the service (the outbox relay, database I/O completions) until the pool grows. Here the burst
/// queues up instead, and everything else keeps its threads.
/// </summary>
public sealed class PasswordHashing : IDisposable
{
    private readonly IPasswordHasher<User> _hasher;
    private readonly Channel<Func<string>> _work = Channel.CreateUnbounded<Func<string>>();

    private readonly Lazy<Task<string>> _decoy;

    public PasswordHashing(IPasswordHasher<User> hasher)
    {
        _hasher = hasher;
        _decoy = new(() => HashAsync(Guid.NewGuid().ToString("N")));
        for (var i = 0; i < Environment.ProcessorCount; i++)
        {
            new Thread(Work) { IsBackground = true, Name = $"password-hashing-{i}" }.Start();
        }
    }

    public Task<string> HashAsync(string password) => RunAsync(() => _hasher.HashPassword(null!, password));

    /// <summary>
    /// Whether <paramref name="password"/> matches <paramref name="hash"/>; with a null hash it
    /// checks against a throw-away one, so "no such account" costs the same time as a wrong password.
    /// </summary>
    public async Task<bool> VerifyAsync(string? hash, string password)
    {
        var target = hash ?? await _decoy.Value;
        var result = await RunAsync(() => _hasher.VerifyHashedPassword(null!, target, password).ToString());
        return hash is not null && result != nameof(PasswordVerificationResult.Failed);
    }

    private Task<string> RunAsync(Func<string> work)
    {
        var result = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_work.Writer.TryWrite(() =>
            {
                try
                {
                    result.SetResult(work());
                }
                catch (Exception ex)
                {
                    result.SetException(ex);
                }

                return "";
            }))
        {
            result.SetException(new ObjectDisposedException(nameof(PasswordHashing)));
        }

        return result.Task;
    }

    public void Dispose() => _work.Writer.TryComplete();

    private void Work()
    {
        var reader = _work.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var work))
            {
                work();
            }
        }
    }
}
