using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace SalesMind.ServiceDefaults;

/// <summary>
/// Metrics in Prometheus format at <c>/metrics</c> (internal network only; nginx does not expose
/// it), traces across the services, and OTLP export of both when configured.
/// </summary>
public static class Telemetry
{
    /// <summary>
    /// Metrics: HTTP server, .NET runtime, Npgsql, MassTransit's own meter (receive/consume counts
    /// and errors: <c>messaging_masstransit_consume_errors_ea_total</c> counts messages whose
    /// consumer failed for good and went to an <c>_error</c> queue) and <paramref name="meters"/>.
    /// Traces: incoming HTTP requests, database commands, MassTransit's send and consume (which
    /// carry the trace context in message headers) and <paramref name="sources"/>, so one
    /// registration is one trace from the request to the SMTP send. Exported with OTLP when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the standard OpenTelemetry variables apply).
    /// </summary>
    public static IServiceCollection AddSalesMindTelemetry(this IServiceCollection services, string[] meters, string[] sources)
    {
        var otel = services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddMeter("MassTransit")
                .AddMeter(meters)
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = http =>
                    !http.Request.Path.StartsWithSegments("/health") && !http.Request.Path.StartsWithSegments("/metrics"))
                .AddNpgsql()
                .AddSource("MassTransit")
                .AddSource(sources));
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT")))
        {
            otel.UseOtlpExporter();
        }

        return services;
    }

    public static WebApplication MapMetrics(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
