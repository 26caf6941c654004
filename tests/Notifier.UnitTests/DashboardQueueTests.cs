using System.Text.Json;
using SalesMind.Notifier.Admin;

namespace SalesMind.Notifier.UnitTests;

/// <summary>Which broker queues the dashboard expects a consumer on: a queue nobody reads by design is not an alarm.</summary>
public sealed class DashboardQueueTests
{
    [Theory]
    [InlineData("user-registered", true)]
    [InlineData("password-reset-requested", true)]
    [InlineData("user-registered_error", false)]
    [InlineData("user-registered_skipped", false)]
    [InlineData(BrokerQueue.DeadLetterQueue, false)]
    public void Only_a_consumers_own_queue_expects_a_consumer(string name, bool expected) =>
        Assert.Equal(expected, new BrokerQueue(name, 0, 0).ExpectsConsumer);

    [Fact]
    public void The_dead_letter_queue_is_the_one_the_broker_is_given()
    {
        using var definitions = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoFiles.Root, "rabbitmq", "definitions.json")));
        var deadLetterExchanges = definitions.RootElement.GetProperty("policies").EnumerateArray()
            .Select(p => p.GetProperty("definition"))
            .Where(d => d.TryGetProperty("dead-letter-exchange", out _))
            .Select(d => d.GetProperty("dead-letter-exchange").GetString())
            .ToList();
        var queues = definitions.RootElement.GetProperty("bindings").EnumerateArray()
            .Where(b => deadLetterExchanges.Contains(b.GetProperty("source").GetString()))
            .Select(b => b.GetProperty("destination").GetString())
            .ToList();

        Assert.Equal(BrokerQueue.DeadLetterQueue, Assert.Single(queues));
        Assert.True(new BrokerQueue(BrokerQueue.DeadLetterQueue, 0, 0).IsDeadLetterQueue);
    }
}
