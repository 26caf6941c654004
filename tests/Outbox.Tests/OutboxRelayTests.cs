using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SalesMind.TestSupport;

namespace SalesMind.Outbox.Tests;

/// <summary>The relay against the stack's real PostgreSQL and RabbitMQ; each test owns a database and a vhost.</summary>
public sealed class OutboxRelayTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TestDatabase _db = TestDatabase.Named("outbox_test");
    private TestVirtualHost _vhost = null!;

    public async Task InitializeAsync()
    {
        await TestDb.CreateSchemaAsync(_db.ConnectionString);
        _vhost = await TestVirtualHost.CreateAsync("outbox-test");
    }

    public async Task DisposeAsync()
    {
        await _vhost.DisposeAsync();
        await _db.DisposeAsync();
    }

    private Task<long> PendingAsync() =>
        _db.ScalarAsync<long>("SELECT count(*) FROM outbox_message WHERE dead_lettered_at IS NULL");

    /// <summary>Writes events with no relay running, in one transaction.</summary>
    private async Task<HashSet<Guid>> InsertOrdersAsync(int count)
    {
        var ids = new HashSet<Guid>();
        await using var db = new TestDb(new DbContextOptionsBuilder<TestDb>().UseNpgsql(_db.ConnectionString).Options);
        for (var i = 0; i < count; i++)
        {
            ids.Add(db.AddOutboxMessage(new OrderPlaced(i), DateTimeOffset.UtcNow));
        }

        await db.SaveChangesAsync();
        return ids;
    }

    [Fact]
    public async Task Committed_rows_are_published_with_their_message_id_and_deleted()
    {
        var received = new Received();
        await using var relay = await RelayHarness.StartAsync(_db, _vhost, received);

        var ids = await relay.PlaceOrdersAsync(20);

        await Eventually.HoldsAsync(() => Task.FromResult(received.Distinct == 20), Patience, "20 messages received");
        Assert.Equal(ids.ToHashSet(), received.Counts.Keys.ToHashSet());
        Assert.Equal(Enumerable.Range(0, 20).ToHashSet(), received.Messages.Values.Select(m => m.Number).ToHashSet());
        await Eventually.HoldsAsync(async () => await PendingAsync() == 0, Patience, "outbox emptied");
    }

    [Fact]
    public async Task A_row_from_a_rolled_back_transaction_is_never_published()
    {
        var received = new Received();
        await using var relay = await RelayHarness.StartAsync(_db, _vhost, received);

        Guid rolledBack;
        await using (var scope = relay.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TestDb>();
            await using var tx = await db.Database.BeginTransactionAsync();
            db.Orders.Add(new Order { Number = -1 });
            rolledBack = db.AddOutboxMessage(new OrderPlaced(-1), DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
            await tx.RollbackAsync();
        }

        // A committed row written afterwards arrives; by then the relay has looked at the table
        // several times, so the rolled-back row had every chance to show up.
        var committed = await relay.PlaceOrdersAsync(1, firstNumber: 1);
        await Eventually.HoldsAsync(() => Task.FromResult(received.Counts.ContainsKey(committed[0])), Patience, "committed message received");
        await Task.Delay(1000);

        Assert.False(received.Counts.ContainsKey(rolledBack));
        Assert.Equal(1, received.Total);
        Assert.Equal(0, await _db.ScalarAsync<long>("SELECT count(*) FROM orders WHERE \"Number\" = -1"));
    }

    [Fact]
    public async Task Two_relays_over_1000_rows_publish_each_exactly_once()
    {
        var received = new Received();
        await using var first = await RelayHarness.StartAsync(_db, _vhost, received, o => o.BatchSize = 50);
        await using var second = await RelayHarness.StartAsync(_db, _vhost, received, o => o.BatchSize = 50);

        // Both relays run while rows are being written, from two writers at once.
        var writes = await Task.WhenAll(first.PlaceOrdersAsync(500, 0), second.PlaceOrdersAsync(500, 500));
        var ids = writes.SelectMany(w => w).ToHashSet();

        await Eventually.HoldsAsync(() => Task.FromResult(received.Distinct == 1000), Patience, "1000 distinct messages received");
        await Eventually.HoldsAsync(async () => await PendingAsync() == 0, Patience, "outbox emptied");
        await Task.Delay(500);

        Assert.Equal(ids, received.Counts.Keys.ToHashSet());
        Assert.All(received.Counts, pair => Assert.Equal(1, pair.Value));
        Assert.Equal(1000, received.Total);
    }

    [Fact]
    public async Task A_relay_killed_mid_batch_leaves_nothing_behind_after_restart()
    {
        // The consumer lives in its own process: only the relay is killed.
        var received = new Received();
        await using var consumer = await RelayHarness.StartAsync(_db, _vhost, received, relay: false);
        var ids = await InsertOrdersAsync(3000);
        var killed = await RelayHarness.StartAsync(_db, _vhost, received, o =>
        {
            o.BatchSize = 10;
            o.LockDuration = TimeSpan.FromSeconds(2);
            o.PublishTimeout = TimeSpan.FromSeconds(1);
        }, consume: false);
        await Eventually.HoldsAsync(() => Task.FromResult(received.Distinct >= 10), Patience, "first messages received");
        await killed.KillAsync();
        var pendingAtKill = await PendingAsync();

        await using var restarted = await RelayHarness.StartAsync(_db, _vhost, received, o =>
        {
            o.LockDuration = TimeSpan.FromSeconds(2);
            o.PublishTimeout = TimeSpan.FromSeconds(1);
        }, consume: false);

        await Eventually.HoldsAsync(async () => await PendingAsync() == 0, Patience, "outbox emptied after restart");
        await Eventually.HoldsAsync(() => Task.FromResult(received.Distinct == ids.Count), Patience, $"every message received (have {received.Distinct} of {ids.Count})");
        Assert.Equal(ids, received.Counts.Keys.ToHashSet());
        Assert.True(pendingAtKill > 0, "the kill should have happened with rows still pending");
    }

    [Fact]
    public async Task Rows_claimed_by_a_relay_that_died_are_published_once_their_lock_expires()
    {
        var received = new Received();
        var ids = await InsertOrdersAsync(10);
        // Claimed like a relay would, and then the relay "died": nobody publishes or releases the rows.
        await _db.ExecuteAsync("UPDATE outbox_message SET locked_until = now() + interval '3 seconds', attempts = 1");

        await using var relay = await RelayHarness.StartAsync(_db, _vhost, received);
        await Task.Delay(1000);
        Assert.Equal(0, received.Total);

        await Eventually.HoldsAsync(() => Task.FromResult(received.Distinct == 10), Patience, "abandoned rows published");
        Assert.Equal(ids, received.Counts.Keys.ToHashSet());
        // The relay deletes a row after the broker confirms it, which may be after the consumer saw it.
        await Eventually.HoldsAsync(async () => await PendingAsync() == 0, Patience, "published rows deleted");
    }

    [Fact]
    public async Task A_row_that_cannot_be_published_is_dead_lettered_without_blocking_the_rows_behind_it()
    {
        var received = new Received();
        await _db.ExecuteAsync("""
            INSERT INTO outbox_message (message_id, message_type, body, created_at, available_at, attempts)
            VALUES (gen_random_uuid(), 'SalesMind.Contracts.NoLongerExists', '{}', now(), now(), 0)
            """);
        await using var relay = await RelayHarness.StartAsync(_db, _vhost, received, o =>
        {
            o.MaxAttempts = 3;
            o.FirstBackoff = TimeSpan.FromMilliseconds(100);
        });
        var ids = await relay.PlaceOrdersAsync(5);

        await Eventually.HoldsAsync(() => Task.FromResult(received.Distinct == 5), Patience, "rows behind the poison row published");
        await Eventually.HoldsAsync(
            async () => await _db.ScalarAsync<long>("SELECT count(*) FROM outbox_message WHERE dead_lettered_at IS NOT NULL") == 1,
            Patience, "poison row dead-lettered");

        Assert.Equal(3, await _db.ScalarAsync<int>("SELECT attempts FROM outbox_message"));
        var error = await _db.ScalarAsync<string>("SELECT last_error FROM outbox_message");
        Assert.Contains("Unknown message type 'SalesMind.Contracts.NoLongerExists'", error);
        Assert.Equal(ids.ToHashSet(), received.Counts.Keys.ToHashSet());
    }

    [Fact]
    public async Task A_dead_lettered_row_keeps_no_live_account_link()
    {
        // As Identity's UserRegistered carries it (System.Text.Json writes '&' as \u0026).
        const string token = "Zk9vYmFyLXNlY3JldC10b2tlbi0wMTIzNDU2Nzg5YWJj";
        await _db.ExecuteAsync($$"""
            INSERT INTO outbox_message (message_id, message_type, body, created_at, available_at, attempts)
            VALUES (gen_random_uuid(), 'SalesMind.Contracts.UserRegisteredV0',
                    '{"email":"victim@mail.test","verificationUrl":"https://salesmind.test/api/auth/verify-email/?lang=ja\u0026token={{token}}","resetUrl":"https://salesmind.test/reset_password.html?token={{token}}"}',
                    now(), now(), 0)
            """);
        await using var relay = await RelayHarness.StartAsync(_db, _vhost, new Received(), o =>
        {
            o.MaxAttempts = 2;
            o.FirstBackoff = TimeSpan.FromMilliseconds(100);
        });

        await Eventually.HoldsAsync(
            async () => await _db.ScalarAsync<long>("SELECT count(*) FROM outbox_message WHERE dead_lettered_at IS NOT NULL") == 1,
            Patience, "row dead-lettered");

        var body = await _db.ScalarAsync<string>("SELECT body::text FROM outbox_message");
        Assert.DoesNotContain(token, body);
        Assert.Contains("token=[redacted]", body);
        Assert.Contains("victim@mail.test", body);
    }
}

