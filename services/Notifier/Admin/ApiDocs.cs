using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using SalesMind.Outbox;
using Scalar.AspNetCore;

namespace SalesMind.Notifier.Admin;

/// <summary>An example request and/or response body shown in the API reference for one endpoint.</summary>
public sealed record ApiExample(object? Request, object? Response, int Status);

/// <summary>
/// The Notifier's OpenAPI document (<c>/openapi/v1.json</c>) and its interactive reference page
/// (<c>/docs</c>), with the bearer scheme the admin API uses and an example for every endpoint.
/// </summary>
public static class ApiDocs
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Shows <paramref name="request"/> and <paramref name="response"/> as this endpoint's examples.</summary>
    public static RouteHandlerBuilder WithExample(this RouteHandlerBuilder endpoint, object? request = null, object? response = null, int status = 200) =>
        endpoint.WithMetadata(new ApiExample(request, response, status));

    public static IServiceCollection AddApiDocs(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "SalesMind Notifier admin API",
                    Version = "v1",
                    Description = "Email templates (versioned, previewable, test-sendable), sender addresses, the audit log, deliveries and " +
                        "the outbox and error queues. Every endpoint needs an admin's bearer token: log in as an admin and " +
                        "`POST /api/auth/token/` on Identity, or run `./stack admin-token --name <admin>` locally.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "An admin token from Identity (15 minutes).",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", document)] = [] }];
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var description = context.Description;
                var example = description.ActionDescriptor.EndpointMetadata.OfType<ApiExample>().LastOrDefault()
                    ?? SharedExamples.GetValueOrDefault($"{description.HttpMethod} {description.RelativePath?.TrimEnd('/')}");
                if (description.RelativePath?.StartsWith("api/admin/outbox", StringComparison.Ordinal) == true)
                {
                    operation.Tags = new HashSet<OpenApiTagReference> { new("Outbox", context.Document) };
                }

                if (example is null)
                {
                    return Task.CompletedTask;
                }

                if (example.Request is not null && operation.RequestBody?.Content is { } requestContent)
                {
                    foreach (var media in requestContent.Values)
                    {
                        media.Example = ToNode(example.Request);
                    }
                }

                if (example.Response is not null && operation.Responses?.TryGetValue(example.Status.ToString(), out var response) == true
                    && response.Content is { } responseContent)
                {
                    foreach (var media in responseContent.Values)
                    {
                        media.Example = ToNode(example.Response);
                    }
                }

                return Task.CompletedTask;
            });
        });

    /// <summary>
    /// The reference page's policy: scripts only from files of this origin, no inline script (the
    /// page's settings travel as a JSON data block, which is not run). Scalar styles itself inline.
    /// nginx/snippets/locations.conf sends the same for /notifier/docs/.
    /// </summary>
    public const string DocsContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; " +
        "connect-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

    // What Scalar's own page would pass to its initialize(); the page itself is ours (below).
    private const string ScalarConfiguration =
        """{"authentication":{"preferredSecurityScheme":["Bearer"]},"withDefaultFonts":false,"favicon":"favicon.svg","_integration":"dotnet","hideClientButton":true,"sources":[{"title":"v1","url":"openapi/v1.json"}]}""";

    private const string DocsPage = $$"""
        <!doctype html>
        <html>
        <head>
            <title>SalesMind Notifier admin API</title>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
        </head>
        <body>
            <div id="app"></div>
            <script id="scalar-configuration" type="application/json">{{ScalarConfiguration}}</script>
            <script src="scalar.js"></script>
            <script type="module" src="init.js"></script>
        </body>
        </html>
        """;

    // Relative paths throughout: the page works at /docs/ and behind nginx at /notifier/docs/.
    private const string DocsScript = """
        // Starts the API reference with the settings the page carries as data (no inline script:
        // the page's Content-Security-Policy allows scripts from files only).
        import { initialize } from './scalar.aspnetcore.js'

        const configuration = JSON.parse(document.getElementById('scalar-configuration').textContent)
        initialize('%2Fdocs%2F', false, configuration, '')

        """;

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        // Scalar's own page starts with an inline <script>, which would need 'unsafe-inline' on
        // this origin. The same page without it is served here; Scalar still serves its files
        // (scalar.js, scalar.aspnetcore.js) from /docs/. Literal routes win over Scalar's
        // /docs/{documentName?}.
        app.MapGet("/docs/", (HttpContext http) =>
        {
            if (!http.Request.Path.Value!.EndsWith('/'))
            {
                return Results.Redirect($"{http.Request.PathBase}/docs/");
            }

            http.Response.Headers.ContentSecurityPolicy = DocsContentSecurityPolicy;
            http.Response.Headers.CacheControl = "no-store";
            return Results.Content(DocsPage, "text/html; charset=utf-8");
        }).ExcludeFromDescription();
        app.MapGet("/docs/init.js", () => Results.Content(DocsScript, "text/javascript; charset=utf-8")).ExcludeFromDescription();
        app.MapScalarApiReference("/docs", options => options
            .WithTitle("SalesMind Notifier admin API")
            // Relative: the page resolves it against where it is mounted (/ or a proxy prefix such
            // as /notifier/), so it finds /notifier/openapi/v1.json behind nginx.
            .WithOpenApiRoutePattern("openapi/{documentName}.json")
            .AddPreferredSecuritySchemes("Bearer")
            // Everything from this server: no web fonts or client downloads from elsewhere.
            .DisableDefaultFonts()
            .HideClientButton());
        return app;
    }

    /// <summary>Examples for the endpoints mapped by shared code (the outbox), which knows nothing of this document.</summary>
    private static readonly Dictionary<string, ApiExample> SharedExamples = new()
    {
        ["GET api/admin/outbox"] = new(null, new OutboxAdminEndpoints.OutboxSummary(3, 1, 0.4), 200),
        ["POST api/admin/outbox/dead-letters/{id}/retry"] = new(null, null, 204),
        ["POST api/admin/outbox/dead-letters/retry-all"] = new(null, new OutboxAdminEndpoints.RetryAllAnswer(
            2, [new RetriedRow(7, Guid.Parse("0193f4a2-1111-7000-8000-000000000007")), new RetriedRow(8, Guid.Parse("0193f4a2-1111-7000-8000-000000000008"))], 1), 200),
        ["GET api/admin/outbox/dead-letters"] = new(null, new[]
        {
            new OutboxAdminEndpoints.DeadLetter(7, Guid.Parse("0193f4a2-1111-7000-8000-000000000007"), "SalesMind.Contracts.NoLongerExists", 5,
                "The message type is unknown to this service.", new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 28, 9, 0, 5, TimeSpan.Zero)),
        }, 200),
    };

    private static JsonNode? ToNode(object value) => JsonSerializer.SerializeToNode(value, value.GetType(), Json);
}
