using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SalesMind.ServiceDefaults;

/// <summary>What every SalesMind host does the same way: errors as problem details, health endpoints.</summary>
public static class WebDefaults
{
    /// <summary>
    /// Problem details for every error, whatever the client's Accept header says: the default
    /// writer declines when Accept excludes JSON (a browser's text/html), which left bare
    /// text/plain error bodies.
    /// </summary>
    public static IServiceCollection AddSalesMindProblemDetails(this IServiceCollection services)
    {
        services.AddSingleton<IProblemDetailsWriter, AlwaysJsonProblemDetailsWriter>();
        services.AddProblemDetails();
        return services;
    }

    private sealed class AlwaysJsonProblemDetailsWriter : IProblemDetailsWriter
    {
        public bool CanWrite(ProblemDetailsContext context) => true;

        public ValueTask WriteAsync(ProblemDetailsContext context) =>
            new(context.HttpContext.Response.WriteAsJsonAsync(
                context.ProblemDetails, context.ProblemDetails.GetType(), options: null, contentType: "application/problem+json"));
    }

    /// <summary>
    /// Every error response is an RFC 9457 problem details body: unhandled exceptions (500 with
    /// no internals), bad requests the framework rejects (body too large, bad headers) and bare
    /// status codes such as 404 and 405. (Kestrel answers a malformed request line, such as a NUL
    /// in the path, with a bare 400 before any middleware runs.)
    /// </summary>
    public static WebApplication UseSalesMindErrors(this WebApplication app)
    {
        // The app's own answers carry the same protections nginx adds to the pages: they matter
        // when a service is reached without nginx in front. HSTS only where TLS is real.
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.Use(static (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            return next(context);
        });

        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = ex => ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        return app;
    }

    /// <summary>
    /// <c>/health/live</c>: the process answers (no checks). <c>/health/ready</c>: every check
    /// tagged "ready" passes: the database and the message bus (MassTransit tags its own check).
    /// </summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = WriteReportAsync,
        });
        return app;
    }

    /// <summary>Each check's state, so an operator sees which dependency is failing.</summary>
    private static Task WriteReportAsync(HttpContext context, HealthReport report) =>
        context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        });
}
