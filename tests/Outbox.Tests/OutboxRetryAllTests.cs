using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SalesMind.TestSupport;

namespace SalesMind.Outbox.Tests;

/// <summary>
/// "Retry all" of the outbox's dead letters, over HTTP as the services map it, with a relay and a
/// consumer on the real broker: each row is published once, rows whose link was removed stay.
/// </summary>
public sealed class OutboxRetryAllTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TestDatabase _db = TestDatabase.Named("outbox_retry_test");
    private readonly ConcurrentQueue<(string Actor, string Action, IReadOnlyList<RetriedRow> Rows)> _audit = new();
    private TestVirtualHost _vhost = null!;
    private WebApplication _api = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        await TestDb.CreateSchemaAsync(_db.ConnectionString);
        _vhost = await TestVirtualHost.CreateAsync("outbox-retry-test");

        // The endpoints alone, as a service maps them into its admin group (the admin is given, not checked, here).
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(new OutboxDataSource(_db.ConnectionString));
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<OutboxAdminAudit>((http, action, rows, _) =>
        {
            _audit.Enqueue((http.User.FindFirstValue("name") ?? "?", action, rows));
            return Task.CompletedTask;
        });
        _api = builder.Build();
        _api.Use((http, next) =>
        {
            http.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim("name", "hanako"), new Claim("sub", Guid.NewGuid().ToString())], "test"));
            return next(http);
        });
        _api.MapGroup("/api/admin").MapOutboxAdmin();
        await _api.StartAsync();
        var address = _api.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _client = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _api.DisposeAsync();
        await _vhost.DisposeAsync();
        await _db.DisposeAsync();
    }

    /// <summary>Rows of real events, dead-lettered as the relay leaves them after its last attempt.</summary>
    private async Task<HashSet<Guid>> DeadLettersAsync(int count)
    {
        var ids = new HashSet<Guid>();
        await using (var db = new TestDb(new DbContextOptionsBuilder<TestDb>().UseNpgsql(_db.ConnectionString).Options))
        {
            for (var i = 0; i < count; i++)
            {
                ids.Add(db.AddOutboxMessage(new OrderPlaced(i), DateTimeOffset.UtcNow));
            }

            await db.SaveChangesAsync();
        }

        await _db.ExecuteAsync("""
            UPDATE outbox_message SET dead_lettered_at = now(), attempts = 10, last_error = 'The broker was away', available_at = now() + interval '1 day'
             WHERE message_id = ANY($1)
            """, ids.ToArray());
        return ids;
    }

    private async Task<long> RedactedDeadLetterAsync() =>
        await _db.ScalarAsync<long>("""
            INSERT INTO outbox_message (message_id, message_type, body, created_at, available_at, attempts, last_error, dead_lettered_at)
            VALUES (gen_random_uuid(), 'SalesMind.Contracts.UserRegistered',
                    '{"verificationUrl":"https://salesmind.test/api/auth/verify-email/?token=[redacted]"}', now(), now(), 10, 'gone', now())
            RETURNING id
            """);

    [Fact]
    public async Task Retry_all_publishes_every_dead_letter_once_and_leaves_those_whose_link_was_removed()
    {
        var ids = await DeadLettersAsync(5);
        var redacted = await RedactedDeadLetterAsync();
        var received = new Received();
        await using var relay = await RelayHarness.StartAsync(_db, _vhost, received);

        var response = await _client.PostAsync("/api/admin/outbox/dead-letters/retry-all", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var answer = JsonDocument.Parse(body).RootElement;
        Assert.Equal(5, answer.GetProperty("retried").GetInt32());
        Assert.Equal(1, answer.GetProperty("needNewLink").GetInt64());
        Assert.Equal(ids, answer.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("messageId").GetGuid()).ToHashSet());

        await Eventually.HoldsAsync(() => Task.FromResult(received.Distinct == 5), Patience, "the 5 retried rows published and consumed");
        Assert.Equal(ids, received.Counts.Keys.ToHashSet());
        await Eventually.HoldsAsync(async () => await _db.ScalarAsync<long>("SELECT count(*) FROM outbox_message") == 1, Patience, "published rows deleted");
        Assert.Equal(redacted, await _db.ScalarAsync<long>("SELECT id FROM outbox_message WHERE dead_lettered_at IS NOT NULL"));
        Assert.All(received.Counts.Values, n => Assert.Equal(1, n));

        // Who did it, and which rows, went to the service's audit log.
        var (actor, action, rows) = Assert.Single(_audit);
        Assert.Equal(("hanako", "outbox.retried-all"), (actor, action));
        Assert.Equal(ids, rows.Select(r => r.MessageId).ToHashSet());

        // Only the row that needs a new link is left: nothing to retry, and the answer says why.
        var again = await _client.PostAsync("/api/admin/outbox/dead-letters/retry-all", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("single-use account link", await again.Content.ReadAsStringAsync());
        Assert.Single(_audit);
    }

    [Fact]
    public async Task Two_admins_retrying_all_at_once_put_each_row_back_once()
    {
        var ids = await DeadLettersAsync(300);

        var answers = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            var response = await _client.PostAsync("/api/admin/outbox/dead-letters/retry-all?max=1000", null);
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, Body: text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
        }));

        var taken = answers.Where(a => a.StatusCode == HttpStatusCode.OK)
            .SelectMany(a => a.Body.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("messageId").GetGuid()))
            .ToList();
        Assert.All(answers, a => Assert.True(a.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, a.StatusCode.ToString()));
        Assert.Equal(taken.Count, taken.Distinct().Count());
        Assert.Equal(ids, taken.ToHashSet());
        Assert.Equal(300, _audit.Sum(a => a.Rows.Count));
        Assert.Equal(0, await _db.ScalarAsync<long>("SELECT count(*) FROM outbox_message WHERE dead_lettered_at IS NOT NULL"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    public async Task A_max_out_of_range_is_refused_naming_the_field(string max)
    {
        var response = await _client.PostAsync($"/api/admin/outbox/dead-letters/retry-all?max={max}", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"max\"", await response.Content.ReadAsStringAsync());
    }
}
