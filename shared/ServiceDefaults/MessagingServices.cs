using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.RegularExpressions;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ValidationResult = System.ComponentModel.DataAnnotations.ValidationResult;

namespace SalesMind.ServiceDefaults;

/// <summary>Connection settings for RabbitMQ (section <c>RabbitMq</c>).</summary>
public sealed partial class RabbitMqOptions : IValidatableObject
{
    public const string Section = "RabbitMq";

    [Required]
    public string Host { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public ushort Port { get; set; } = 5672;

    [Required]
    public string VirtualHost { get; set; } = "/";

    [Required]
    public string Username { get; set; } = "guest";

    [Required]
    public string Password { get; set; } = "guest";

    /// <summary>The management API (for the operators' view of error queues), e.g. http://rabbitmq:15672.</summary>
    [Url]
    public string? ManagementUrl { get; set; }

    /// <summary>
    /// Who reads queue depths from the management API: a user tagged <c>monitoring</c> with no
    /// rights on messages, so the service's own user needs no management tag. Empty: <see cref="Username"/>.
    /// </summary>
    public string? ManagementUsername { get; set; }

    /// <summary>Password of <see cref="ManagementUsername"/>.</summary>
    public string? ManagementPassword { get; set; }

    /// <summary>
    /// The nodes of a RabbitMQ cluster, each <c>host</c> or <c>host:port</c> (without a port:
    /// <see cref="Port"/>). When set, the bus connects to any of them and moves on to the next
    /// when a connection fails or drops; <see cref="Host"/> then only names the broker in
    /// MassTransit's addresses. Empty: <see cref="Host"/> alone.
    /// </summary>
    public List<string> ClusterNodes { get; set; } = [];

    /// <summary>
    /// The same nodes in one comma-separated setting (<c>rabbitmq,rabbitmq-2,rabbitmq-3</c>), as
    /// docker compose passes them from <c>.env</c>; added to <see cref="ClusterNodes"/>. Blank: none.
    /// </summary>
    public string? Nodes { get; set; }

    /// <summary>Every node to connect to: <see cref="ClusterNodes"/>, then those of <see cref="Nodes"/>.</summary>
    public IReadOnlyList<string> AllNodes() =>
        [.. ClusterNodes.Select(n => n.Trim()), .. (Nodes ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var node in (Nodes ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!TryParseNode(node, out _, out _))
            {
                yield return new ValidationResult(
                    $"{Section}:{nameof(Nodes)} (env {Section}__{nameof(Nodes)}) names '{node}': " +
                    "each node must be a host name or an IPv4 address, optionally with :port (1-65535), separated by commas, e.g. rabbitmq,rabbitmq-2,rabbitmq-3.",
                    [nameof(Nodes)]);
            }
        }

        for (var i = 0; i < ClusterNodes.Count; i++)
        {
            if (!TryParseNode(ClusterNodes[i], out _, out _))
            {
                yield return new ValidationResult(
                    $"{Section}:{nameof(ClusterNodes)}:{i} (env {Section}__{nameof(ClusterNodes)}__{i}) is '{ClusterNodes[i]}': " +
                    "each cluster node must be a host name or an IPv4 address, optionally with :port (1-65535), e.g. rabbitmq-2 or rabbitmq-2:5672.",
                    [nameof(ClusterNodes)]);
            }
        }
    }

    /// <summary>
    /// <c>host</c> or <c>host:port</c>, as MassTransit reads a cluster node (it splits at the
    /// colon, so an IPv6 address cannot be given: use a host name for it).
    /// </summary>
    public static bool TryParseNode(string? node, out string host, out int? port)
    {
        host = "";
        port = null;
        var parts = (node ?? "").Trim().Split(':');
        if (parts.Length > 2 || !HostName().IsMatch(parts[0]))
        {
            return false;
        }

        if (parts.Length == 2)
        {
            if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
            {
                return false;
            }

            port = p;
        }

        host = parts[0];
        return true;
    }

    /// <summary>A host name (labels of letters, digits, '-' and '_', as container names have) or an IPv4 address.</summary>
    [GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*$")]
    private static partial Regex HostName();
}

public static class MessagingServices
{
    /// <summary>
    /// MassTransit over RabbitMQ, as both services use it: durable quorum queues (replicated
    /// when the broker is a cluster), publisher confirms (MassTransit's default, kept on: the
    /// outbox deletes a row only after the broker acknowledged it), faults to <c>_error</c> queues.
    /// </summary>
    public static IServiceCollection AddSalesMindBus(
        this IServiceCollection services, Action<IBusRegistrationConfigurator> consumers)
    {
        services.AddOptions<RabbitMqOptions>()
            .BindConfiguration(RabbitMqOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            // MassTransit reports usage to its vendor over the internet by default: our hosts have
            // no business calling out, and the failed call was a warning in every service's log.
            bus.DisableUsageTelemetry();
            consumers(bus);
            bus.AddConfigureEndpointsCallback((_, _, endpoint) =>
            {
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                {
                    rabbit.SetQuorumQueue();
                }
            });
            bus.UsingRabbitMq((context, cfg) =>
            {
                var options = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                cfg.Host(options.Host, options.Port, options.VirtualHost, h => ConfigureHost(h, options));
                cfg.ConfigureEndpoints(context);
            });
        });
        return services;
    }

    /// <summary>The login, and with <see cref="RabbitMqOptions.ClusterNodes"/> or <see cref="RabbitMqOptions.Nodes"/> the nodes to connect to in turn.</summary>
    public static void ConfigureHost(IRabbitMqHostConfigurator host, RabbitMqOptions options)
    {
        host.Username(options.Username);
        host.Password(options.Password);
        var nodes = options.AllNodes();
        if (nodes.Count > 0)
        {
            host.UseCluster(cluster =>
            {
                foreach (var node in nodes)
                {
                    cluster.Node(node);
                }
            });
        }
    }
}
