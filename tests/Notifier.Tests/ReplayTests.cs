using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using SalesMind.Contracts;
using SalesMind.TestSupport;

namespace SalesMind.Notifier.Tests;

/// <summary>
/// Messages whose consumer failed are parked in the error queue for real (the database refuses
/// their delivery), the cause is fixed, and an admin replays them: one, then all. Each is then
/// handled exactly once, and the replays are in the audit log.
/// </summary>
[Collection(NotifierCollection.Name)]
public sealed class ReplayTests(NotifierApp app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // Nothing else in these tests makes AccountAlreadyExists fail: its error queue holds only what a test here parks.
    private const string Queue = "account-already-exists";
    private const string ErrorQueue = Queue + "_error";

    /// <summary>Every message a consumer of this app finished or failed, by message id.</summary>
    private sealed class ConsumeLog : IConsumeObserver
    {
        public ConcurrentDictionary<Guid, int> Finished { get; } = new();

        public ConcurrentDictionary<Guid, int> Failed { get; } = new();

        public Task PreConsume<T>(ConsumeContext<T> context)
            where T : class => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context)
            where T : class
        {
            Finished.AddOrUpdate(context.MessageId!.Value, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        }

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
            where T : class
        {
            Failed.AddOrUpdate(context.MessageId!.Value, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        }

        public int FinishedCount(Guid id) => Finished.GetValueOrDefault(id);

        public int FailedCount(Guid id) => Failed.GetValueOrDefault(id);
    }

    /// <summary>The cause: the database refuses deliveries to this test's addresses (a trigger), until <see cref="FixAsync"/>.</summary>
    private async Task RefuseAsync(string tag)
    {
        await app.Database.ExecuteAsync($$"""
            CREATE FUNCTION refuse_{{tag}}() RETURNS trigger LANGUAGE plpgsql AS $f$
            BEGIN
              RAISE EXCEPTION 'replay test: deliveries to % are refused until the cause is fixed', NEW.recipient;
            END $f$;
            CREATE TRIGGER refuse_{{tag}} BEFORE INSERT ON deliveries FOR EACH ROW
              WHEN (NEW.recipient LIKE 'replay-{{tag}}-%') EXECUTE FUNCTION refuse_{{tag}}();
            """);
    }

    private Task FixAsync(string tag) =>
        app.Database.ExecuteAsync($"DROP TRIGGER refuse_{tag} ON deliveries; DROP FUNCTION refuse_{tag}();");

    private static string Tag() => Guid.NewGuid().ToString("N")[..12];

    private static AccountAlreadyExists Attempt(string tag, int n) =>
        new(Guid.NewGuid(), $"taro{n}", $"replay-{tag}-{n}@mail.test", "en", $"https://salesmind.example/login-{tag}.html", DateTimeOffset.UtcNow);

    private Task<long> DeliveriesAsync(Guid messageId) =>
        app.Database.ScalarAsync<long>("SELECT count(*) FROM deliveries WHERE source_message_id = $1", messageId);

    /// <summary>The messages the admin API lists in <paramref name="queue"/>, by message id (none while the queue does not exist yet).</summary>
    private static async Task<Dictionary<Guid, JsonElement>> ParkedAsync(HttpClient client, string queue)
    {
        // MassTransit declares an error queue when it first moves a message there.
        using var response = await client.GetAsync($"/api/admin/error-queues/{queue}/messages?limit=200");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }

        var page = await NotifierApp.JsonAsync(response, HttpStatusCode.OK);
        return page.GetProperty("messages").EnumerateArray()
            .Where(m => m.GetProperty("message_id").ValueKind == JsonValueKind.String)
            .ToDictionary(m => m.GetProperty("message_id").GetGuid());
    }

    /// <summary>Publishes <paramref name="count"/> attempts while the cause holds and waits until all are parked in the error queue.</summary>
    private async Task<List<Guid>> ParkAsync(HttpClient client, ConsumeLog log, string tag, int count)
    {
        var ids = Enumerable.Range(0, count).Select(_ => Guid.NewGuid()).ToList();
        for (var i = 0; i < count; i++)
        {
            await app.PublishAsync(Attempt(tag, i), ids[i]);
        }

        await Eventually.HoldsAsync(() => Task.FromResult(ids.All(id => log.FailedCount(id) == 1)), Patience, "every attempt failed in its consumer");
        await Eventually.HoldsAsync(async () => ids.All((await ParkedAsync(client, ErrorQueue)).ContainsKey), Patience, $"every attempt parked in {ErrorQueue}");
        return ids;
    }

    [Fact]
    public async Task Parked_messages_are_listed_without_their_bodies_and_replayed_once_each_after_the_cause_is_fixed()
    {
        var tag = Tag();
        var client = app.AdminClient();
        var log = new ConsumeLog();
        using var observer = app.Services.GetRequiredService<IBus>().ConnectConsumeObserver(log);
        await RefuseAsync(tag);
        var ids = await ParkAsync(client, log, tag, 3);

        // What an operator sees: the type, why and when it failed, where it goes back to; not the body.
        var listing = await (await client.GetAsync($"/api/admin/error-queues/{ErrorQueue}/messages?limit=200")).Content.ReadAsStringAsync();
        Assert.DoesNotContain($"login-{tag}", listing);
        var parked = (await ParkedAsync(client, ErrorQueue))[ids[0]];
        Assert.Contains("AccountAlreadyExists", parked.GetProperty("message_type").GetString());
        Assert.Contains("refused until the cause is fixed", parked.GetProperty("fault_message").GetString());
        Assert.Equal(Queue, parked.GetProperty("original_queue").GetString());
        Assert.True(parked.GetProperty("faulted_at").ValueKind == JsonValueKind.String, parked.ToString());
        Assert.True(parked.GetProperty("size").GetInt32() > 0);
        Assert.Equal(0, await DeliveriesAsync(ids[0]));

        await FixAsync(tag);

        // One message, by its id: it goes back to its queue and is handled.
        var one = await NotifierApp.JsonAsync(await client.PostAsync($"/api/admin/error-queues/{ErrorQueue}/messages/{ids[0]}/replay", null), HttpStatusCode.OK);
        Assert.Equal(1, one.GetProperty("replayed").GetInt32());
        var moved = Assert.Single(one.GetProperty("messages").EnumerateArray());
        Assert.Equal(ids[0], moved.GetProperty("message_id").GetGuid());
        Assert.Equal(Queue, moved.GetProperty("to").GetString());
        await Eventually.HoldsAsync(() => Task.FromResult(log.FinishedCount(ids[0]) == 1), Patience, "the replayed message handled");
        Assert.Equal(1, await DeliveriesAsync(ids[0]));
        Assert.False((await ParkedAsync(client, ErrorQueue)).ContainsKey(ids[0]));

        // It is gone from the error queue: a second replay of it finds nothing.
        var gone = await NotifierApp.JsonAsync(await client.PostAsync($"/api/admin/error-queues/{ErrorQueue}/messages/{ids[0]}/replay", null), HttpStatusCode.NotFound);
        Assert.Equal("No such message", gone.GetProperty("title").GetString());

        // All the others.
        var all = await NotifierApp.JsonAsync(await client.PostAsync($"/api/admin/error-queues/{ErrorQueue}/replay", null), HttpStatusCode.OK);
        var replayedIds = all.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("message_id").GetGuid()).ToList();
        Assert.Equal(replayedIds.Count, all.GetProperty("replayed").GetInt32());
        Assert.Equal(ids.Skip(1).ToHashSet(), replayedIds.Where(ids.Contains).ToHashSet());
        await Eventually.HoldsAsync(() => Task.FromResult(ids.All(id => log.FinishedCount(id) >= 1)), Patience, "every replayed message handled");

        // Each handled exactly once, and nothing is left to replay.
        Assert.All(ids, id => Assert.Equal((1, 1), (log.FailedCount(id), log.FinishedCount(id))));
        foreach (var id in ids)
        {
            Assert.Equal(1, await DeliveriesAsync(id));
        }

        Assert.Empty((await ParkedAsync(client, ErrorQueue)).Keys.Intersect(ids));
        var empty = await NotifierApp.JsonAsync(await client.PostAsync($"/api/admin/error-queues/{ErrorQueue}/replay", null), HttpStatusCode.Conflict);
        Assert.Equal("Nothing to replay", empty.GetProperty("title").GetString());

        // Both replays are in the audit log: who, the queue, the message ids.
        var audit = await NotifierApp.JsonAsync(await client.GetAsync($"/api/admin/audit?target=queue:{ErrorQueue}&limit=500"), HttpStatusCode.OK);
        var entries = audit.GetProperty("items").EnumerateArray().ToList();
        var single = Assert.Single(entries, e => e.GetProperty("action").GetString() == "queue.replayed"
            && e.GetProperty("after").GetProperty("message_ids").EnumerateArray().Any(m => m.GetGuid() == ids[0]));
        Assert.Equal("test", single.GetProperty("actor").GetString());
        Assert.Equal(1, single.GetProperty("after").GetProperty("count").GetInt32());
        var bulk = Assert.Single(entries, e => e.GetProperty("action").GetString() == "queue.replayed-all"
            && e.GetProperty("after").GetProperty("message_ids").EnumerateArray().Any(m => m.GetGuid() == ids[1]));
        Assert.Equal(replayedIds.ToHashSet(), bulk.GetProperty("after").GetProperty("message_ids").EnumerateArray().Select(m => m.GetGuid()).ToHashSet());
        Assert.Equal(Queue, Assert.Single(bulk.GetProperty("after").GetProperty("to").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task A_replayed_copy_of_a_message_already_handled_is_dropped_by_the_inbox()
    {
        // What a crash between the publish and the acknowledgement of a replay leaves: the message
        // in its queue and still in the error queue. The second copy must do nothing.
        var tag = Tag();
        var client = app.AdminClient();
        var log = new ConsumeLog();
        using var observer = app.Services.GetRequiredService<IBus>().ConnectConsumeObserver(log);
        await RefuseAsync(tag);
        var id = (await ParkAsync(client, log, tag, 1))[0];
        await FixAsync(tag);

        await app.PublishAsync(Attempt(tag, 0), id);
        await Eventually.HoldsAsync(async () => await DeliveriesAsync(id) == 1, Patience, "the message handled on its own");

        await NotifierApp.JsonAsync(await client.PostAsync($"/api/admin/error-queues/{ErrorQueue}/messages/{id}/replay", null), HttpStatusCode.OK);
        await Eventually.HoldsAsync(() => Task.FromResult(log.FinishedCount(id) == 2), Patience, "the replayed copy consumed");

        Assert.Equal(1, await DeliveriesAsync(id));
        Assert.Equal(1, log.FailedCount(id));
        Assert.False((await ParkedAsync(client, ErrorQueue)).ContainsKey(id));
    }

    [Fact]
    public async Task Two_admins_replaying_all_at_once_move_each_message_once()
    {
        var tag = Tag();
        var client = app.AdminClient();
        var log = new ConsumeLog();
        using var observer = app.Services.GetRequiredService<IBus>().ConnectConsumeObserver(log);
        await RefuseAsync(tag);
        var ids = await ParkAsync(client, log, tag, 12);
        await FixAsync(tag);

        var answers = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            var response = await app.AdminClient().PostAsync($"/api/admin/error-queues/{ErrorQueue}/replay", null);
            var text = await response.Content.ReadAsStringAsync();
            return (response.StatusCode, Body: JsonDocument.Parse(text).RootElement.Clone());
        }));

        Assert.All(answers, a => Assert.True(a.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, $"{a.StatusCode} {a.Body}"));
        var moved = answers.Where(a => a.StatusCode == HttpStatusCode.OK)
            .SelectMany(a => a.Body.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("message_id").GetGuid()))
            .Where(ids.Contains)
            .ToList();
        Assert.Equal(moved.Count, moved.Distinct().Count());
        Assert.Equal(ids.ToHashSet(), moved.ToHashSet());
        await Eventually.HoldsAsync(() => Task.FromResult(ids.All(id => log.FinishedCount(id) >= 1)), Patience, "every replayed message handled");
        Assert.All(ids, id => Assert.Equal(1, log.FinishedCount(id)));
        foreach (var id in ids)
        {
            Assert.Equal(1, await DeliveriesAsync(id));
        }
    }

    [Fact]
    public async Task A_dead_letter_goes_back_to_the_queue_its_x_death_names_with_its_id_and_without_the_failures_headers()
    {
        // A real dead-lettering by the broker: a probe queue whose rejected messages go to the
        // dead-letter queue (as the salesmind-queues policy does for every queue in production).
        var probe = $"replay-probe-{Tag()}";
        var id = Guid.NewGuid();
        var body = Encoding.UTF8.GetBytes("""{"messageId":"x","messageType":["urn:message:SalesMind.Contracts:Probe"],"message":{}}""");
        await using var connection = await new ConnectionFactory
        {
            HostName = Stack.RabbitHost, Port = Stack.RabbitPort, VirtualHost = app.VirtualHost.Name, UserName = "guest", Password = "guest",
        }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync("salesmind.dead-letters", durable: true, exclusive: false, autoDelete: false);
        await channel.QueueDeclareAsync(probe, durable: true, exclusive: false, autoDelete: false, arguments: new Dictionary<string, object?>
        {
            ["x-dead-letter-exchange"] = "",
            ["x-dead-letter-routing-key"] = "salesmind.dead-letters",
        });
        try
        {
            await channel.BasicPublishAsync("", probe, mandatory: true, new BasicProperties
            {
                MessageId = id.ToString(),
                ContentType = "application/vnd.masstransit+json",
                DeliveryMode = DeliveryModes.Persistent,
                Headers = new Dictionary<string, object?> { ["MT-Fault-Message"] = "crashed the consumer", ["app-header"] = "kept" },
            }, body);
            var taken = await WaitForAsync(channel, probe);
            await channel.BasicRejectAsync(taken.DeliveryTag, requeue: false);

            var client = app.AdminClient();
            await Eventually.HoldsAsync(async () => (await ParkedAsync(client, "salesmind.dead-letters")).ContainsKey(id), Patience, "the probe dead-lettered");
            var parked = (await ParkedAsync(client, "salesmind.dead-letters"))[id];
            Assert.Equal(probe, parked.GetProperty("original_queue").GetString());
            Assert.Equal("rejected", parked.GetProperty("death_reason").GetString());
            Assert.Equal("urn:message:SalesMind.Contracts:Probe", parked.GetProperty("message_type").GetString());

            var replay = await NotifierApp.JsonAsync(
                await client.PostAsync($"/api/admin/error-queues/salesmind.dead-letters/messages/{id}/replay", null), HttpStatusCode.OK);
            Assert.Equal(probe, Assert.Single(replay.GetProperty("messages").EnumerateArray()).GetProperty("to").GetString());

            var back = await WaitForAsync(channel, probe);
            await channel.BasicAckAsync(back.DeliveryTag, multiple: false);
            Assert.Equal(id.ToString(), back.BasicProperties.MessageId);
            Assert.Equal(body, back.Body.ToArray());
            var headers = back.BasicProperties.Headers ?? new Dictionary<string, object?>();
            Assert.Equal("kept", Encoding.UTF8.GetString((byte[])headers["app-header"]!));
            Assert.DoesNotContain(headers.Keys, k => k.StartsWith("x-death", StringComparison.Ordinal)
                || k.StartsWith("x-first-death", StringComparison.Ordinal) || k.StartsWith("MT-Fault-", StringComparison.Ordinal));
            Assert.False((await ParkedAsync(client, "salesmind.dead-letters")).ContainsKey(id));
        }
        finally
        {
            await channel.QueueDeleteAsync(probe);
        }
    }

    private static async Task<BasicGetResult> WaitForAsync(IChannel channel, string queue)
    {
        BasicGetResult? got = null;
        await Eventually.HoldsAsync(async () => (got = await channel.BasicGetAsync(queue, autoAck: false)) is not null, Patience, $"a message in {queue}");
        return got!;
    }

    [Fact]
    public async Task Unknown_queues_and_messages_are_404_and_a_bad_max_is_400()
    {
        var client = app.AdminClient();

        // Not a parking queue: a consumer's own queue is never read or replayed from here.
        var notParking = await NotifierApp.JsonAsync(await client.GetAsync($"/api/admin/error-queues/{Queue}/messages"), HttpStatusCode.NotFound);
        Assert.Equal("No such queue", notParking.GetProperty("title").GetString());
        await NotifierApp.JsonAsync(await client.PostAsync($"/api/admin/error-queues/{Queue}/replay", null), HttpStatusCode.NotFound);
        await NotifierApp.JsonAsync(await client.PostAsync($"/api/admin/error-queues/no-such-queue-{Tag()}_error/replay", null), HttpStatusCode.NotFound);
        await NotifierApp.JsonAsync(await client.GetAsync($"/api/admin/error-queues/no-such-queue-{Tag()}_error/messages"), HttpStatusCode.NotFound);

        // A message id nobody parked.
        var unknown = await client.PostAsync($"/api/admin/error-queues/{ErrorQueue}/messages/{Guid.NewGuid()}/replay", null);
        Assert.True(unknown.StatusCode is HttpStatusCode.NotFound, $"{(int)unknown.StatusCode} {await unknown.Content.ReadAsStringAsync()}");

        var max = await NotifierApp.JsonAsync(await client.PostAsync($"/api/admin/error-queues/{ErrorQueue}/replay?max=0", null), HttpStatusCode.BadRequest);
        Assert.True(max.GetProperty("errors").TryGetProperty("max", out _));
        var limit = await NotifierApp.JsonAsync(await client.GetAsync($"/api/admin/error-queues/{ErrorQueue}/messages?limit=201"), HttpStatusCode.BadRequest);
        Assert.True(limit.GetProperty("errors").TryGetProperty("limit", out _));
    }

    [Fact]
    public async Task Only_admins_can_look_at_or_replay_parked_messages()
    {
        var user = app.CreateClient();
        user.DefaultRequestHeaders.Authorization = new("Bearer", AdminEndpoints.Token(app.Services, "user"));
        var anonymous = app.CreateClient();
        var id = Guid.NewGuid();
        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, $"/api/admin/error-queues/{ErrorQueue}/messages"),
            (HttpMethod.Post, $"/api/admin/error-queues/{ErrorQueue}/replay"),
            (HttpMethod.Post, $"/api/admin/error-queues/{ErrorQueue}/messages/{id}/replay"),
            (HttpMethod.Post, "/api/admin/outbox/dead-letters/retry-all"),
        })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(new HttpRequestMessage(method, path))).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await user.SendAsync(new HttpRequestMessage(method, path))).StatusCode);
        }
    }
}
