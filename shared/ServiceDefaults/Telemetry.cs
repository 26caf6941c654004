using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace SalesMind.ServiceDefaults;

/// <summary>Metrics in Prometheus format at <c>/metrics</c> (internal network only; nginx does not expose it).</summary>
public static class Telemetry
{
    /// <summary>
    /// HTTP server and .NET runtime metrics, MassTransit's own meter (receive/consume counts and
    /// errors: <c>messaging_masstransit_consume_errors_ea_total</c> counts messages whose consumer
    /// failed for good and went to an <c>_error</c> queue) and the given meters of this service.
    /// </summary>
    public static IServiceCollection AddSalesMindTelemetry(this IServiceCollection services, params string[] meters)
    {
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddMeter("MassTransit")
            .AddMeter(meters)
            .AddPrometheusExporter());
        return services;
    }

    public static WebApplication MapMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
