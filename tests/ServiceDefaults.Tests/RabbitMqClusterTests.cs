using MassTransit.RabbitMqTransport.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace SalesMind.ServiceDefaults.Tests;

/// <summary><c>RabbitMq:ClusterNodes</c>: read like MassTransit reads a node, checked at start naming the key, handed to the bus.</summary>
public sealed class RabbitMqClusterTests
{
    [Theory]
    [InlineData("rabbitmq-1", "rabbitmq-1", null)]
    [InlineData(" rabbitmq-2:5673 ", "rabbitmq-2", 5673)]
    [InlineData("salesmind_rabbitmq_3", "salesmind_rabbitmq_3", null)]
    [InlineData("mq.internal.salesmind.jp:5671", "mq.internal.salesmind.jp", 5671)]
    [InlineData("10.0.0.7:5672", "10.0.0.7", 5672)]
    public void A_node_is_a_host_with_an_optional_port(string node, string host, int? port)
    {
        Assert.True(RabbitMqOptions.TryParseNode(node, out var parsedHost, out var parsedPort));
        Assert.Equal((host, port), (parsedHost, parsedPort));
    }

    [Theory]
    [InlineData("")]
    [InlineData("rabbitmq-1:")]
    [InlineData("rabbitmq-1:0")]
    [InlineData("rabbitmq-1:65536")]
    [InlineData("rabbitmq-1:-5")]
    [InlineData("rabbitmq-1:abc")]
    [InlineData("::1")]
    [InlineData("[::1]:5672")]
    [InlineData("amqp://rabbitmq-1")]
    [InlineData("rabbit mq")]
    [InlineData("-rabbitmq")]
    public void Anything_else_is_refused(string node) => Assert.False(RabbitMqOptions.TryParseNode(node, out _, out _));

    [Fact]
    public void A_bad_node_stops_the_start_naming_its_key()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Options(new()
        {
            ["RabbitMq:ClusterNodes:0"] = "rabbitmq-1",
            ["RabbitMq:ClusterNodes:1"] = "rabbitmq-2:none",
        }));

        Assert.Contains("RabbitMq:ClusterNodes:1 (env RabbitMq__ClusterNodes__1) is 'rabbitmq-2:none'", ex.Message);
        Assert.DoesNotContain("ClusterNodes:0", ex.Message);
    }

    [Fact]
    public void Without_nodes_the_bus_connects_to_the_host_alone()
    {
        var host = new RabbitMqHostConfigurator("rabbitmq", "/", 5672, null);

        MessagingServices.ConfigureHost(host, Options(new()));

        Assert.Null(host.Settings.EndpointResolver);
    }

    [Fact]
    public void With_nodes_the_bus_tries_each_in_turn_on_its_port_or_the_configured_one()
    {
        var options = Options(new()
        {
            ["RabbitMq:Port"] = "5673",
            ["RabbitMq:ClusterNodes:0"] = "rabbitmq-1",
            ["RabbitMq:ClusterNodes:1"] = "rabbitmq-2:5680",
            ["RabbitMq:ClusterNodes:2"] = "rabbitmq-3",
        });
        var host = new RabbitMqHostConfigurator(options.Host, options.VirtualHost, options.Port, null);

        MessagingServices.ConfigureHost(host, options);

        // One endpoint per connection attempt: a failed or dropped connection moves to the next node.
        var resolver = Assert.IsType<MassTransit.RabbitMqTransport.SequentialEndpointResolver>(host.Settings.EndpointResolver);
        var attempts = Enumerable.Range(0, 4).Select(_ => Assert.Single(resolver.All())).Select(e => $"{e.HostName}:{e.Port}");
        Assert.Equal(["rabbitmq-1:5673", "rabbitmq-2:5680", "rabbitmq-3:5673", "rabbitmq-1:5673"], attempts);
    }

    [Fact]
    public void The_comma_separated_form_compose_passes_gives_the_same_nodes_and_a_bad_one_is_named()
    {
        var options = Options(new() { ["RabbitMq:Nodes"] = " rabbitmq, rabbitmq-2 ,rabbitmq-3:5680,," });
        Assert.Equal(["rabbitmq", "rabbitmq-2", "rabbitmq-3:5680"], options.AllNodes());
        var host = new RabbitMqHostConfigurator(options.Host, options.VirtualHost, options.Port, null);
        MessagingServices.ConfigureHost(host, options);
        var resolver = Assert.IsType<MassTransit.RabbitMqTransport.SequentialEndpointResolver>(host.Settings.EndpointResolver);
        var attempts = Enumerable.Range(0, 3).Select(_ => Assert.Single(resolver.All())).Select(e => $"{e.HostName}:{e.Port}");
        Assert.Equal(["rabbitmq:5672", "rabbitmq-2:5672", "rabbitmq-3:5680"], attempts);

        Assert.Empty(Options(new() { ["RabbitMq:Nodes"] = "" }).AllNodes());
        var ex = Assert.Throws<OptionsValidationException>(() => Options(new() { ["RabbitMq:Nodes"] = "rabbitmq,rabbit mq-2" }));
        Assert.Contains("RabbitMq:Nodes (env RabbitMq__Nodes) names 'rabbit mq-2'", ex.Message);
    }

    /// <summary>The options as a service gets them: bound from configuration and validated as at start.</summary>
    private static RabbitMqOptions Options(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSalesMindBus(_ => { });
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
    }
}
