using System.Net.Http.Json;
using System.Text.Json;
using SalesMind.Contracts;
using SalesMind.TestSupport;

namespace SalesMind.Notifier.Tests;

/// <summary>What the Notifier's endpoints look like on the real broker.</summary>
[Collection(NotifierCollection.Name)]
public sealed class QueueTests(NotifierApp app)
{
    [Theory]
    [InlineData("user-registered")]
    [InlineData("account-already-exists")]
    public async Task Consumers_read_from_durable_quorum_queues(string queue)
    {
        var info = await app.VirtualHost.QueueAsync(queue);

        Assert.NotNull(info);
        Assert.Equal("quorum", info.Value.GetProperty("type").GetString());
        Assert.True(info.Value.GetProperty("durable").GetBoolean());
    }

    [Fact]
    public async Task A_message_that_always_fails_ends_in_the_error_queue_after_its_retries()
    {
        // No recipient: storing the delivery fails every time (the column is NOT NULL).
        var poison = new UserRegistered(Guid.NewGuid(), "nobody", null!, "en", "https://salesmind.example/x", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

        await app.PublishAsync(poison, Guid.NewGuid());

        await Eventually.HoldsAsync(
            async () => await app.VirtualHost.QueueAsync("user-registered_error") is { } q && q.TryGetProperty("messages", out var n) && n.GetInt32() == 1,
            TimeSpan.FromSeconds(60), "the poison message in user-registered_error");

        // Operators see it through the admin API, and it is counted in the metrics.
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", AdminEndpoints.Token(app.Services, SalesMind.ServiceDefaults.AdminAuth.AdminRole));
        var queues = await client.GetFromJsonAsync<JsonElement>("/api/admin/error-queues");
        var queue = Assert.Single(queues.EnumerateArray(), q => q.GetProperty("queue").GetString() == "user-registered_error");
        Assert.Equal(1, queue.GetProperty("messages").GetInt64());
        // (A scrape may be answered from the exporter's short cache of an earlier one: ask again.)
        var counted = new System.Text.RegularExpressions.Regex(@"messaging_masstransit_consume_errors_ea_total\{[^}]*UserRegistered[^}]*\} [1-9]");
        var scrape = "";
        try
        {
            await Eventually.HoldsAsync(
            async () => counted.IsMatch(scrape = await client.GetStringAsync("/metrics")),
            TimeSpan.FromSeconds(30), "the consume error counted in /metrics");
        }
        catch (TimeoutException)
        {
            Assert.Fail("No consume error in /metrics; its MassTransit lines:\n" + string.Join('\n', scrape.Split('\n').Where(l => l.Contains("masstransit", StringComparison.Ordinal))));
        }
    }
}
