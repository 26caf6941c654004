using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Security;

namespace SalesMind.Identity.UnitTests;

/// <summary>
/// The hashing queue is bounded by the wait it would cause on this machine as it is now, not only
/// by a count: a slow or busy machine admits fewer, so overload is refused at once (503) instead
/// of timing out at the proxy. Pure: a fake hasher with a known cost, no services.
/// </summary>
public sealed class HashWaitBoundTests
{
    private sealed class SlowHasher(TimeSpan cost) : IPasswordHasher<User>
    {
        public string HashPassword(User user, string password)
        {
            Thread.Sleep(cost);
            return "hash";
        }

        public PasswordVerificationResult VerifyHashedPassword(User user, string hashedPassword, string providedPassword)
        {
            Thread.Sleep(cost);
            return PasswordVerificationResult.Success;
        }
    }

    [Fact]
    public async Task A_slow_hasher_admits_only_the_queue_it_can_finish_within_the_wait_bound_and_frees_places_as_they_end()
    {
        var maxWait = TimeSpan.FromSeconds(2);
        var options = Options.Create(new AccountOptions { MaxQueuedPasswordHashes = 10_000, MaxPasswordHashWait = maxWait });
        using var hashing = new PasswordHashing(new SlowHasher(TimeSpan.FromMilliseconds(200)), options);
        for (var i = 0; i < 3; i++)
        {
            await hashing.HashAsync("measure me");
        }

        Assert.True(hashing.HashTime >= TimeSpan.FromMilliseconds(190), $"measured {hashing.HashTime}");

        var tickets = new List<PasswordHashing.Ticket>();
        while (tickets.Count < 10_000 && hashing.TryAdmit() is { } ticket)
        {
            tickets.Add(ticket);
        }

        // Far below the count bound: exactly the places whose wait fits (a place per thread at least).
        Assert.InRange(tickets.Count, Environment.ProcessorCount, 10 * Environment.ProcessorCount);
        Assert.True(hashing.ExpectedWait(tickets.Count) <= maxWait, $"place {tickets.Count} waits {hashing.ExpectedWait(tickets.Count)}");
        Assert.True(hashing.ExpectedWait(tickets.Count + 1) > maxWait, $"place {tickets.Count + 1} would wait only {hashing.ExpectedWait(tickets.Count + 1)}");
        await Assert.ThrowsAsync<PasswordHashingBusyException>(() => hashing.HashAsync("one too many"));

        // A place given back is a place free again.
        tickets[0].Dispose();
        using var again = hashing.TryAdmit();
        Assert.NotNull(again);
        foreach (var t in tickets)
        {
            t.Dispose();
        }
    }

    [Fact]
    public async Task A_hash_slower_than_the_bound_still_leaves_a_place_per_thread_so_the_queue_never_closes_for_good()
    {
        var options = Options.Create(new AccountOptions { MaxQueuedPasswordHashes = 10_000, MaxPasswordHashWait = TimeSpan.FromSeconds(1) });
        using var hashing = new PasswordHashing(new SlowHasher(TimeSpan.FromMilliseconds(1_200)), options);
        await hashing.HashAsync("slower than the bound");
        Assert.True(hashing.ExpectedWait(1) > TimeSpan.FromSeconds(1));

        var tickets = Enumerable.Range(0, Environment.ProcessorCount + 1).Select(_ => hashing.TryAdmit()).ToList();
        Assert.Equal(Environment.ProcessorCount, tickets.Count(t => t is not null));
        foreach (var t in tickets)
        {
            t?.Dispose();
        }

        // And work still runs, so the time measured keeps following the machine.
        Assert.Equal("hash", await hashing.HashAsync("still admitted"));
    }

    [Fact]
    public void Before_any_hash_is_measured_only_the_count_bounds_the_queue()
    {
        var options = Options.Create(new AccountOptions { MaxQueuedPasswordHashes = 3, MaxPasswordHashWait = TimeSpan.FromMilliseconds(100) });
        using var hashing = new PasswordHashing(new SlowHasher(TimeSpan.FromMilliseconds(1)), options);
        var tickets = Enumerable.Range(0, 5).Select(_ => hashing.TryAdmit()).ToList();
        Assert.Equal(3, tickets.Count(t => t is not null));
        foreach (var t in tickets)
        {
            t?.Dispose();
        }
    }
}
