using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
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

        public ValueTask WriteAsync(ProblemDetailsContext context)
        {
            // A person reading the answer learns what went wrong: a title for bare status codes,
            // and for a request the framework refused, its own words (they name the parameter).
            var problem = context.ProblemDetails;
            problem.Status ??= context.HttpContext.Response.StatusCode;
            problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
            if (context.Exception is BadHttpRequestException bad)
            {
                problem.Detail ??= bad.Message;
            }
            else if (IsTransientConflict(context.Exception))
            {
                problem.Title = "Busy";
                problem.Detail ??= "The request met another one changing the same data. Nothing was changed; send it again.";
                context.HttpContext.Response.Headers.RetryAfter = "1";
            }
            else if (IsDatabaseUnavailable(context.Exception))
            {
                // Not "nothing was changed": a connection lost during COMMIT may have saved it.
                problem.Title = "Database unavailable";
                problem.Detail ??= "The service cannot reach its database right now (it may be restarting). Try again shortly.";
                context.HttpContext.Response.Headers.RetryAfter = DatabaseRetryAfterSeconds;
            }
            else if (IsUnstorableText(context.Exception))
            {
                problem.Title = "Unstorable character";
                problem.Detail ??= "The request holds a character that cannot be stored (a NUL, U+0000). Remove it and send the request again.";
            }

            return new(context.HttpContext.Response.WriteAsJsonAsync(
                problem, problem.GetType(), options: null, contentType: "application/problem+json"));
        }
    }

    /// <summary>
    /// A deadlock or serialization failure: PostgreSQL rolled the transaction back, so nothing
    /// changed and the same request can simply be sent again (503 with Retry-After, never 500).
    /// </summary>
    private static bool IsTransientConflict(Exception? ex) =>
        PostgresState(ex) is Npgsql.PostgresErrorCodes.DeadlockDetected or Npgsql.PostgresErrorCodes.SerializationFailure;

    /// <summary>Seconds a client is asked to wait while the database is unreachable: about a PostgreSQL restart.</summary>
    public const string DatabaseRetryAfterSeconds = "5";

    /// <summary>
    /// PostgreSQL cannot be reached or is going away: the server is shutting down, restarting or
    /// refusing connections (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03
    /// cannot_connect_now, any 08xxx connection exception), has no connection slot left (53300),
    /// or the connection failed on the way (Npgsql's transient errors: refused or broken socket,
    /// I/O error, timeout, a pool that stayed exhausted), also when EF Core wrapped the error
    /// (DbUpdateException, its execution strategy's InvalidOperationException,
    /// RetryLimitExceededException). A 503 with Retry-After, never a 500: the service is fine,
    /// its database will be back.
    /// </summary>
    public static bool IsDatabaseUnavailable(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                case Npgsql.PostgresException postgres:
                    return postgres.SqlState is Npgsql.PostgresErrorCodes.AdminShutdown or Npgsql.PostgresErrorCodes.CrashShutdown
                            or Npgsql.PostgresErrorCodes.CannotConnectNow or Npgsql.PostgresErrorCodes.TooManyConnections
                        || postgres.SqlState.StartsWith("08", StringComparison.Ordinal);
                case Npgsql.NpgsqlException { IsTransient: true }:
                // EF Core retries transient failures only (when a retrying strategy is configured): out of retries is still one.
                case Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException:
                    return true;
            }
        }

        return false;
    }

    /// <summary>PostgreSQL refused text (a NUL byte): the client's input, not a server fault.</summary>
    private static bool IsUnstorableText(Exception? ex) =>
        PostgresState(ex) is Npgsql.PostgresErrorCodes.CharacterNotInRepertoire or Npgsql.PostgresErrorCodes.UntranslatableCharacter;

    /// <summary>The SQLSTATE of the PostgreSQL error behind <paramref name="ex"/> (EF and Npgsql wrap it), if any.</summary>
    private static string? PostgresState(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is Npgsql.PostgresException postgres)
            {
                return postgres.SqlState;
            }
        }

        return null;
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
            // Set again as the answer starts, where missing: the exception handler clears every
            // header before it writes its problem body (a 500, or a 503 while the database is
            // down), and those answers need them as much as any other. API answers are about one
            // person or one admin's view (profile, tokens, deliveries): no browser or proxy may
            // keep them, unless an endpoint says otherwise.
            context.Response.OnStarting(static state =>
            {
                var context = (HttpContext)state;
                var headers = context.Response.Headers;
                if (string.IsNullOrEmpty(headers.XContentTypeOptions))
                {
                    headers.XContentTypeOptions = "nosniff";
                }

                if (string.IsNullOrEmpty(headers["Referrer-Policy"]))
                {
                    headers["Referrer-Policy"] = "same-origin";
                }

                if (string.IsNullOrEmpty(headers.ContentSecurityPolicy))
                {
                    headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
                }

                if (context.Request.Path.StartsWithSegments("/api") && string.IsNullOrEmpty(headers.CacheControl))
                {
                    headers.CacheControl = "no-store";
                }

                return Task.CompletedTask;
            }, context);

            return next(context);
        });

        // A control character in an admin API's query parameter is never meant (and PostgreSQL
        // refuses a NUL): answered here, naming the parameter, before a handler builds a query
        // with it. (Public links such as the verification link land on their pages whatever was
        // done to them; their handlers check their own parameters.)
        app.Use(static (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/api/admin"))
            {
                return next(context);
            }

            foreach (var (key, values) in context.Request.Query)
            {
                if (values.Any(v => v is not null && v.Any(char.IsControl)))
                {
                    return TypedResults.ValidationProblem(
                        new Dictionary<string, string[]> { [key] = ["Remove the control character (such as a NUL) from this parameter."] },
                        title: "Invalid query parameter").ExecuteAsync(context);
                }
            }

            return next(context);
        });

        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = ex => ex switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                _ when IsUnstorableText(ex) => StatusCodes.Status400BadRequest,
                _ when IsTransientConflict(ex) || IsDatabaseUnavailable(ex) => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            },
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
