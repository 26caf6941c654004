using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace SalesMind.Outbox;

public static class OutboxServices
{
    /// <summary>
    /// Registers the relay, its wake-up signal, the SaveChanges interceptor (add it to the
    /// service's DbContext options) and the inbox clean-up. <paramref name="contracts"/> is the
    /// assembly whose types may be published.
    /// </summary>
    public static OptionsBuilder<OutboxOptions> AddOutbox(
        this IServiceCollection services, string connectionString, Assembly contracts)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<OutboxSaveChangesInterceptor>();
        services.AddSingleton(_ => new OutboxDataSource(connectionString));
        services.AddHostedService<OutboxRelay>();
        services.AddHostedService<InboxJanitor>();
        services.AddHostedService<OutboxBacklogGauges>();
        return services.AddOptions<OutboxOptions>()
            .BindConfiguration(OutboxOptions.Section)
            .Configure(o => o.AddMessageTypesFrom(contracts))
            .ValidateDataAnnotations()
            .Validate(o => o.PublishTimeout < o.LockDuration,
                "Outbox:PublishTimeout must be shorter than Outbox:LockDuration, or a slow publish could be claimed and published again.")
            .ValidateOnStart();
    }
}
