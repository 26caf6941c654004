using System.ComponentModel.DataAnnotations;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace SalesMind.ServiceDefaults;

/// <summary>Connection settings for RabbitMQ (section <c>RabbitMq</c>).</summary>
public sealed class RabbitMqOptions
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
                cfg.Host(options.Host, options.Port, options.VirtualHost, h =>
                {
                    h.Username(options.Username);
                    h.Password(options.Password);
                });
                cfg.ConfigureEndpoints(context);
            });
        });
        return services;
    }
}
