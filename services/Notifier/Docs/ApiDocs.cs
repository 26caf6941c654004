using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace SalesMind.Notifier.Docs;

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
                        "`POST /api/auth/token/` on Identity, or run `./stack admin-token` locally.",
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
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<ApiExample>().LastOrDefault() is not { } example)
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

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/docs", options => options
            .WithTitle("SalesMind Notifier admin API")
            .WithOpenApiRoutePattern("openapi/{documentName}.json")
            .AddPreferredSecuritySchemes("Bearer"));
        return app;
    }

    private static JsonNode? ToNode(object value) => JsonSerializer.SerializeToNode(value, value.GetType(), Json);
}
