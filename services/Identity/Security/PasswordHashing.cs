using SalesMind.Identity.Accounts;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace SalesMind.Identity.Security;

/// <summary>
/// Password hashing on dedicated threads, one per core. A hash is ~100–250 ms of pure CPU: done
/// on the thread pool, a burst of sign-ups would occupy every pool thread and starve the rest of
/// the service (the outbox relay, database I/O completions) until the pool grows. Here the burst
/// queues up instead, and everything else keeps its threads.
/// The queue is bounded twice: in places (<see cref="AccountOptions.MaxQueuedPasswordHashes"/>)
/// and in expected wait (<see cref="AccountOptions.MaxPasswordHashWait"/>: the places taken per
/// thread times the hash time measured here, so a slow or busy machine admits fewer). A flood
/// beyond either is refused at once (<see cref="PasswordHashingBusyException"/>, answered 503
/// with Retry-After) instead of making every caller wait until it times out; work already
/// admitted always runs.
/// </summary>
public sealed class PasswordHashing : IDisposable
{
    private readonly IPasswordHasher<User> _hasher;
    private readonly Channel<Action> _work = Channel.CreateUnbounded<Action>();
    private readonly Lazy<Task<string>> _decoy;
    private readonly int _threads = Environment.ProcessorCount;
    private readonly TimeSpan _maxWait;
    private int _admitted;
    // Moving average of one hash's wall-clock time, in Stopwatch ticks (0 until the first one).
    private long _hashTicks;

    public PasswordHashing(IPasswordHasher<User> hasher, IOptions<AccountOptions> options)
    {
        _hasher = hasher;
        Capacity = options.Value.EffectiveMaxQueuedPasswordHashes;
        _maxWait = options.Value.MaxPasswordHashWait;
        // The decoy bypasses the bound: it is made once, and a login refused for its sake would
        // be a refusal only unknown names get.
        _decoy = new(() => RunAsync(null, () => _hasher.HashPassword(null!, Guid.NewGuid().ToString("N"))));
        for (var i = 0; i < _threads; i++)
        {
            new Thread(Work) { IsBackground = true, Name = $"password-hashing-{i}" }.Start();
        }
    }

    /// <summary>How many hashes may be queued or running at once.</summary>
    public int Capacity { get; }

    /// <summary>One hash's wall-clock time as measured lately (zero before the first).</summary>
    public TimeSpan HashTime => Stopwatch.GetElapsedTime(0, Volatile.Read(ref _hashTicks));

    /// <summary>
    /// How long the <paramref name="place"/>-th place in the queue (1: the next one) can expect
    /// to wait for its hash to be done: a round of hashes for every thread's worth ahead of it.
    /// </summary>
    public TimeSpan ExpectedWait(int place) => HashTime * Math.Ceiling((double)place / _threads);

    /// <summary>
    /// A place in the queue, or null when it is full or its wait would exceed the bound. Take it
    /// before anything the hash would guard (a login reserves its attempt only once it is sure
    /// to be evaluated).
    /// </summary>
    public Ticket? TryAdmit()
    {
        var place = Interlocked.Increment(ref _admitted);
        // A place per hashing thread is always given (short of the count bound): the threads
        // keep working, so the measured time keeps following the machine, and one slow hash
        // can never shut every password operation out until a restart.
        if (place > Capacity || (place > _threads && ExpectedWait(place) > _maxWait))
        {
            Interlocked.Decrement(ref _admitted);
            return null;
        }

        return new Ticket(this);
    }

    /// <summary>A new hash of <paramref name="password"/>; throws <see cref="PasswordHashingBusyException"/> when the queue is full.</summary>
    public Task<string> HashAsync(string password)
    {
        var ticket = TryAdmit() ?? throw Busy();
        return RunAsync(ticket, () => _hasher.HashPassword(null!, password));
    }

    /// <summary>
    /// Whether <paramref name="password"/> matches <paramref name="hash"/>; with a null hash it
    /// checks against a throw-away one, so "no such account" costs the same time as a wrong password.
    /// Throws <see cref="PasswordHashingBusyException"/> when the queue is full.
    /// </summary>
    public async Task<bool> VerifyAsync(string? hash, string password)
    {
        var ticket = TryAdmit() ?? throw Busy();
        return await VerifyAsync(ticket, hash, password) != PasswordVerificationResult.Failed;
    }

    /// <summary>
    /// The refusal for a full queue, with the wait until the work ahead is done as its retry
    /// hint (whole seconds, 1 to 10): told "1 s" while the queue needs 6, every refused client
    /// would come back into the same full queue, and give up after its last try.
    /// </summary>
    public PasswordHashingBusyException Busy()
    {
        var seconds = Math.Ceiling(ExpectedWait(Volatile.Read(ref _admitted)).TotalSeconds);
        return new PasswordHashingBusyException(TimeSpan.FromSeconds(Math.Clamp(seconds, 1, 10)));
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
                // The place is given back before the caller resumes: whoever it asks next sees it free.
                T value;
                try
                {
                    var started = Stopwatch.GetTimestamp();
                    value = work();
                    Measured(Stopwatch.GetTimestamp() - started);
                }
                catch (Exception ex)
                {
                    ticket?.Dispose();
                    result.SetException(ex);
                    return;
                }

                ticket?.Dispose();
                result.SetResult(value);
            }))
        {
            ticket?.Dispose();
            result.SetException(new ObjectDisposedException(nameof(PasswordHashing)));
        }

        return result.Task;
    }

    public void Dispose() => _work.Writer.TryComplete();

    /// <summary>
    /// Folds one hash's time into the average (weight 1/8: a change of speed shows within a few
    /// hashes). One sample counts for at most 4 times the average, so a single stall (a paused
    /// VM, a debugger) does not close the queue for long.
    /// </summary>
    private void Measured(long ticks)
    {
        long seen, next;
        do
        {
            seen = Volatile.Read(ref _hashTicks);
            next = seen == 0 ? ticks : seen + ((Math.Min(ticks, 4 * seen) - seen) / 8);
        }
        while (Interlocked.CompareExchange(ref _hashTicks, next, seen) != seen);
    }

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
public sealed class PasswordHashingBusyException(TimeSpan retryAfter) : Exception("The password-hashing queue is full.")
{
    /// <summary>When to try again: about when the work queued ahead will be done.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}
