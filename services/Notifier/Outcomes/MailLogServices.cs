using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SalesMind.Notifier.Outcomes;

public static class MailLogServices
{
    /// <summary>
    /// The mail log's rotation and health: the <c>mail-log</c> health check (short queue ids, a
    /// lost rotation) and the checks of <c>Smtp:MailLogName</c>. (The log's readers themselves are
    /// registered with the dispatcher and the report listener.)
    /// </summary>
    public static IServiceCollection AddMailLogRotation(this IServiceCollection services)
    {
        services.AddOptions<MailLogOptions>().ValidateDataAnnotations();
        services.AddSingleton<MailLogHealth>();
        // Degraded, never unhealthy: the service works, but an operator must act (see the description).
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            MailLogHealth.Name, sp => sp.GetRequiredService<MailLogHealth>(), HealthStatus.Degraded, ["ready"]));
        return services;
    }
}
