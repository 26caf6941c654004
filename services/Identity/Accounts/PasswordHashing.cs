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
    private readonly Channel<(string Password, TaskCompletionSource<string> Result)> _work =
        Channel.CreateUnbounded<(string, TaskCompletionSource<string>)>(new UnboundedChannelOptions { SingleWriter = false });

    public PasswordHashing(IPasswordHasher<User> hasher)
    {
        _hasher = hasher;
        for (var i = 0; i < Environment.ProcessorCount; i++)
        {
            new Thread(Work) { IsBackground = true, Name = $"password-hashing-{i}" }.Start();
        }
    }

    public Task<string> HashAsync(string password)
    {
        var result = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_work.Writer.TryWrite((password, result)))
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
            while (reader.TryRead(out var item))
            {
                try
                {
                    item.Result.SetResult(_hasher.HashPassword(null!, item.Password));
                }
                catch (Exception ex)
                {
                    item.Result.SetException(ex);
                }
            }
        }
    }
}
