using System.Threading.Channels;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace SalesMind.Identity.Accounts;

/// <summary>
/// Password hashing on dedicated threads, one per core. A hash is ~100–250 ms of pure CPU: done
/// on the thread pool, a burst of sign-ups would occupy every pool thread and starve the rest of
/// the service (the outbox relay, database I/O completions) until the pool grows. Here the burst
/// queues up instead, and everything else keeps its threads.
/// The queue is bounded (<see cref="AccountOptions.MaxQueuedPasswordHashes"/>): a flood beyond it
/// is refused at once (<see cref="PasswordHashingBusyException"/>, answered 503 with Retry-After)
/// instead of making every caller wait longer and longer; work already admitted always runs.
/// </summary>
public sealed class PasswordHashing : IDisposable
{
    private readonly IPasswordHasher<User> _hasher;
    private readonly Channel<Action> _work = Channel.CreateUnbounded<Action>();
    private readonly Lazy<Task<string>> _decoy;
    private int _admitted;

    public PasswordHashing(IPasswordHasher<User> hasher, IOptions<AccountOptions> options)
    {
        _hasher = hasher;
        Capacity = options.Value.EffectiveMaxQueuedPasswordHashes;
        // The decoy bypasses the bound: it is made once, and a login refused for its sake would
        // be a refusal only unknown names get.
        _decoy = new(() => RunAsync(null, () => _hasher.HashPassword(null!, Guid.NewGuid().ToString("N"))));
        for (var i = 0; i < Environment.ProcessorCount; i++)
        {
            new Thread(Work) { IsBackground = true, Name = $"password-hashing-{i}" }.Start();
        }
    }

    /// <summary>How many hashes may be queued or running at once.</summary>
    public int Capacity { get; }

    /// <summary>
    /// A place in the queue, or null when it is full. Take it before anything the hash would
    /// guard (a login reserves its attempt only once it is sure to be evaluated).
    /// </summary>
    public Ticket? TryAdmit()
    {
        if (Interlocked.Increment(ref _admitted) > Capacity)
        {
            Interlocked.Decrement(ref _admitted);
            return null;
        }

        return new Ticket(this);
    }

    /// <summary>A new hash of <paramref name="password"/>; throws <see cref="PasswordHashingBusyException"/> when the queue is full.</summary>
    public Task<string> HashAsync(string password)
    {
        var ticket = TryAdmit() ?? throw new PasswordHashingBusyException();
        return RunAsync(ticket, () => _hasher.HashPassword(null!, password));
    }

    /// <summary>
    /// Whether <paramref name="password"/> matches <paramref name="hash"/>; with a null hash it
    /// checks against a throw-away one, so "no such account" costs the same time as a wrong password.
    /// Throws <see cref="PasswordHashingBusyException"/> when the queue is full.
    /// </summary>
    public async Task<bool> VerifyAsync(string? hash, string password)
    {
        var ticket = TryAdmit() ?? throw new PasswordHashingBusyException();
        return await VerifyAsync(ticket, hash, password) != PasswordVerificationResult.Failed;
    }

    /// <summary>
    /// As <see cref="VerifyAsync(string?, string)"/> with a place already taken (the place is
    /// given back when the work is done). A null hash always gives <c>Failed</c>, at the cost of a real check.
    /// </summary>
    public async Task<PasswordVerificationResult> VerifyAsync(Ticket ticket, string? hash, string password)
    {
        var target = hash ?? await _decoy.Value;
        var result = await RunAsync(ticket, () => _hasher.VerifyHashedPassword(null!, target, password));
        return hash is null ? PasswordVerificationResult.Failed : result;
    }

    private Task<T> RunAsync<T>(Ticket? ticket, Func<T> work)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
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
                finally
                {
                    ticket?.Dispose();
                }
            }))
        {
            ticket?.Dispose();
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

    /// <summary>One admitted place in the queue; disposing it (once the work ran, or unused) frees it.</summary>
    public sealed class Ticket : IDisposable
    {
        private PasswordHashing? _owner;

        internal Ticket(PasswordHashing owner) => _owner = owner;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _owner, null) is { } owner)
            {
                Interlocked.Decrement(ref owner._admitted);
            }
        }
    }
}

/// <summary>The password-hashing queue is full: the request is refused now rather than queued without bound.</summary>
public sealed class PasswordHashingBusyException() : Exception("The password-hashing queue is full.");
