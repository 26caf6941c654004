using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;
using SalesMind.Outbox;
using Scalar.AspNetCore;

namespace SalesMind.Identity.Web;

/// <summary>An example body shown in the API reference for one answer (<see cref="Status"/>) of an endpoint.</summary>
public sealed record ApiExample(object? Request, object? Response, int Status);

/// <summary>An example value of one query or route parameter, shown in the API reference.</summary>
public sealed record ApiParameterExample(string Name, object Value);

/// <summary>
/// The body an endpoint reads itself (to answer a malformed one with its own 400), for the API
/// reference only: unlike <c>Accepts</c>, it does not make routing refuse other content types.
/// </summary>
public sealed record ApiRequestBody(Type Type, IReadOnlyList<string> ContentTypes);

/// <summary>Marks an endpoint that reads the session cookie (documented as the <c>Session</c> scheme).</summary>
public sealed record SessionCookieMetadata;

/// <summary>
/// Identity's OpenAPI document (<c>/api/openapi/v1.json</c>) and its interactive reference page
/// (<c>/api/docs/</c>): under <c>/api/</c>, which the front door already sends to Identity.
/// Every endpoint carries an example; the problem answers, the CSRF header, the rate limits and
/// both ways of proving who you are (the session cookie, the admin bearer token) are described
/// from the endpoints' own metadata, so a new endpoint is described the way it behaves.
/// </summary>
public static class ApiDocs
{
    public const string Title = "SalesMind Identity API";
    public const string DocumentPath = "/api/openapi/v1.json";
    public const string PagePath = "/api/docs/";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Shows <paramref name="request"/> and <paramref name="response"/> as this endpoint's examples for <paramref name="status"/>.</summary>
    public static RouteHandlerBuilder WithExample(this RouteHandlerBuilder endpoint, object? request = null, object? response = null, int status = 200) =>
        endpoint.WithMetadata(new ApiExample(request, response, status));

    /// <summary>Documents the <typeparamref name="T"/> body the handler reads itself, in <paramref name="contentTypes"/>.</summary>
    public static RouteHandlerBuilder WithRequestBody<T>(this RouteHandlerBuilder endpoint, params string[] contentTypes) =>
        endpoint.WithMetadata(new ApiRequestBody(typeof(T), contentTypes));

    /// <summary>Shows <paramref name="value"/> as the example of the query or route parameter <paramref name="name"/>.</summary>
    public static RouteHandlerBuilder WithParameterExample(this RouteHandlerBuilder endpoint, string name, object value) =>
        endpoint.WithMetadata(new ApiParameterExample(name, value));

    /// <summary>Documents that the endpoint reads the session cookie, and the 401 it answers without one.</summary>
    public static RouteHandlerBuilder WithSessionCookie(this RouteHandlerBuilder endpoint) =>
        endpoint.WithMetadata(new SessionCookieMetadata()).ProducesProblem(StatusCodes.Status401Unauthorized);

    /// <summary>A problem-details body as the service writes it, for examples.</summary>
    public static Dictionary<string, object?> Problem(int status, string title, string? detail = null, IReadOnlyDictionary<string, string[]>? errors = null,
        IReadOnlyDictionary<string, object?>? extensions = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["type"] = ProblemType(status),
            ["title"] = title,
            ["status"] = status,
        };
        if (detail is not null)
        {
            body["detail"] = detail;
        }

        if (errors is not null)
        {
            body["errors"] = errors;
        }

        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            body[key] = value;
        }

        return body;
    }

    public static IServiceCollection AddApiDocs(this IServiceCollection services, string sessionCookie) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = Title,
                    Version = "v1",
                    Description = "Sign-up, email verification, login, password reset, and the admins' users API. " +
                        "Every body is JSON with snake_case names; every error is RFC 9457 problem details " +
                        "(`application/problem+json`), a 400 naming each field that needs attention under `errors`. " +
                        "Messages follow the request's `locale` (`ja`, the default, or `en`).\n\n" +
                        "**Session:** `POST /api/auth/login/` sets the HttpOnly cookie `" + sessionCookie + "`; the pages send it back. " +
                        "**CSRF:** the POSTs that act on that cookie (login, logout, token) must carry the header `X-CSRF: 1` " +
                        "(a cross-site form cannot set it); without it they answer 403. The other POSTs read no session and need no header.\n\n" +
                        "**Admins:** `/api/admin/*` needs an admin's bearer token (15 minutes): log in as an admin and " +
                        "`POST /api/auth/token/`, or run `./stack admin-token --name <admin>` locally.\n\n" +
                        "**Rate limits:** sign-up, login and the \"mail me a link\" requests are limited per client address; " +
                        "over the limit they answer 429 with `Retry-After` (seconds).",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["Session"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Cookie,
                    Name = sessionCookie,
                    Description = "The HttpOnly session cookie `POST /api/auth/login/` sets (SameSite=Lax; Secure outside development).",
                };
                document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "An admin token from `POST /api/auth/token/` (15 minutes).",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer(async (operation, context, ct) =>
            {
                var description = context.Description;
                var metadata = description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<ApiRequestBody>().LastOrDefault() is { } body && operation.RequestBody is null)
                {
                    var schema = await context.GetOrCreateSchemaAsync(body.Type, null, ct);
                    operation.RequestBody = new OpenApiRequestBody
                    {
                        Required = true,
                        Content = body.ContentTypes.ToDictionary(type => type, _ => new OpenApiMediaType { Schema = schema }),
                    };
                }

                var path = description.RelativePath?.TrimEnd('/') ?? "";
                if (path.StartsWith("api/admin/outbox", StringComparison.Ordinal))
                {
                    operation.Tags = new HashSet<OpenApiTagReference> { new("Outbox (admin)", context.Document) };
                }

                operation.Responses ??= new OpenApiResponses();
                if (metadata.OfType<IAuthorizeData>().Any())
                {
                    operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", context.Document)] = [] }];
                    AddProblem(operation, StatusCodes.Status401Unauthorized, "No bearer token, or one that is expired, forged or revoked.");
                    AddProblem(operation, StatusCodes.Status403Forbidden, "The token's account is not an admin.");
                }

                if (metadata.OfType<SessionCookieMetadata>().Any())
                {
                    operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Session", context.Document)] = [] }];
                }

                if (metadata.OfType<CsrfHeaderMetadata>().Any())
                {
                    operation.Parameters ??= [];
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = CsrfHeaderFilter.Header,
                        In = ParameterLocation.Header,
                        Required = true,
                        Description = "Always `1`: proof that the request comes from a page of this site, not a cross-site form.",
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("1")] },
                        Example = JsonValue.Create("1"),
                    });
                    AddProblem(operation, StatusCodes.Status403Forbidden, "The X-CSRF header is missing.");
                }

                if (metadata.OfType<EnableRateLimitingAttribute>().Any())
                {
                    AddProblem(operation, StatusCodes.Status429TooManyRequests, "Too many requests from this address; wait as long as Retry-After says.");
                }

                foreach (var parameter in metadata.OfType<ApiParameterExample>())
                {
                    if (operation.Parameters?.OfType<OpenApiParameter>().FirstOrDefault(p => p.Name == parameter.Name) is { } documented)
                    {
                        documented.Example = ToNode(parameter.Value);
                    }
                }

                var examples = metadata.OfType<ApiExample>().ToList();
                if (SharedExamples.TryGetValue($"{description.HttpMethod} {path}", out var shared))
                {
                    examples.Add(shared);
                }

                foreach (var example in examples)
                {
                    if (example.Request is not null && operation.RequestBody?.Content is { } requestContent)
                    {
                        foreach (var media in requestContent.Values)
                        {
                            media.Example = ToNode(example.Request);
                        }
                    }

                    if (example.Response is not null && operation.Responses.TryGetValue(Code(example.Status), out var response)
                        && response.Content is { } responseContent)
                    {
                        foreach (var media in responseContent.Values)
                        {
                            media.Example = ToNode(example.Response);
                        }
                    }
                }

                // Every problem answer without an example of its own gets the generic one for its status.
                foreach (var (code, response) in operation.Responses)
                {
                    if (int.TryParse(code, out var status) && status >= 400 && response.Content is { } content)
                    {
                        foreach (var media in content.Values.Where(m => m.Example is null))
                        {
                            media.Example = ToNode(GenericProblem(status));
                        }
                    }

                    if (code is "429" or "503" && response is OpenApiResponse withHeaders)
                    {
                        withHeaders.Headers ??= new Dictionary<string, IOpenApiHeader>();
                        withHeaders.Headers["Retry-After"] = new OpenApiHeader
                        {
                            Description = "Seconds to wait before trying again.",
                            Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
                            Example = JsonValue.Create(code == "429" ? 60 : 1),
                        };
                    }
                }

            });
        });

    /// <summary>
    /// The reference page's policy: scripts only from files of this origin, no inline script (the
    /// page's settings travel as a JSON data block, which is not run). Scalar styles itself inline.
    /// nginx/snippets/locations.conf sends the same for /api/docs/.
    /// </summary>
    public const string DocsContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; " +
        "connect-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

    // What Scalar's own page would pass to its initialize(); the page itself is ours (below). The
    // document's address is relative to where the site is mounted (init.js strips /api/docs/).
    private const string ScalarConfiguration =
        """{"authentication":{"preferredSecurityScheme":["Bearer"]},"withDefaultFonts":false,"_integration":"dotnet","hideClientButton":true,"sources":[{"title":"v1","url":"api/openapi/v1.json"}]}""";

    private const string DocsPage = $$"""
        <!doctype html>
        <html>
        <head>
            <title>{{Title}}</title>
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

    private const string DocsScript = """
        // Starts the API reference with the settings the page carries as data (no inline script:
        // the page's Content-Security-Policy allows scripts from files only).
        import { initialize } from './scalar.aspnetcore.js'

        const configuration = JSON.parse(document.getElementById('scalar-configuration').textContent)
        initialize('%2Fapi%2Fdocs%2F', false, configuration, '')

        """;

    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi("/api/openapi/{documentName}.json");
        // Scalar's own page starts with an inline <script>, which would need 'unsafe-inline' on
        // this origin (the site's own). The same page without it is served here; Scalar still
        // serves its files (scalar.js, scalar.aspnetcore.js) from /api/docs/. Literal routes win
        // over Scalar's /api/docs/{documentName?}.
        app.MapGet(PagePath, (HttpContext http) =>
        {
            if (!http.Request.Path.Value!.EndsWith('/'))
            {
                return Results.Redirect($"{http.Request.PathBase}{PagePath}");
            }

            http.Response.Headers.ContentSecurityPolicy = DocsContentSecurityPolicy;
            http.Response.Headers.CacheControl = "no-store";
            return Results.Content(DocsPage, "text/html; charset=utf-8");
        }).ExcludeFromDescription();
        app.MapGet(PagePath + "init.js", () => Results.Content(DocsScript, "text/javascript; charset=utf-8")).ExcludeFromDescription();
        app.MapScalarApiReference("/api/docs", options => options
            .WithTitle(Title)
            .WithOpenApiRoutePattern("/api/openapi/{documentName}.json")
            .AddPreferredSecuritySchemes("Bearer")
            // Everything from this server: no web fonts or client downloads from elsewhere.
            .DisableDefaultFonts()
            .HideClientButton());
        return app;
    }

    /// <summary>Examples for the endpoints mapped by shared code (the outbox), which knows nothing of this document.</summary>
    private static readonly Dictionary<string, ApiExample> SharedExamples = new()
    {
        ["GET api/admin/outbox"] = new(null, new OutboxAdminEndpoints.OutboxSummary(2, 1, 0.3), 200),
        ["GET api/admin/outbox/dead-letters"] = new(null, new[]
        {
            new OutboxAdminEndpoints.DeadLetter(12, Guid.Parse("0193f4a2-2222-7000-8000-000000000012"), "SalesMind.Contracts.NoLongerExists", 5,
                "The message type is unknown to this service.", new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 28, 9, 0, 5, TimeSpan.Zero)),
        }, 200),
        ["POST api/admin/outbox/dead-letters/{id}/retry"] = new(null, Problem(404, "Not Found", "There is no dead-lettered row 12."), 404),
        ["POST api/admin/outbox/dead-letters/retry-all"] = new(null, new OutboxAdminEndpoints.RetryAllAnswer(
            2, [new RetriedRow(7, Guid.Parse("0193f4a2-1111-7000-8000-000000000007")), new RetriedRow(8, Guid.Parse("0193f4a2-1111-7000-8000-000000000008"))], 1), 200),
    };

    private static void AddProblem(OpenApiOperation operation, int status, string description)
    {
        var code = Code(status);
        if (operation.Responses!.ContainsKey(code))
        {
            return;
        }

        operation.Responses[code] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "RFC 9457 problem details." } },
            },
        };
    }

    private static Dictionary<string, object?> GenericProblem(int status) => status switch
    {
        400 => Problem(400, "Invalid request", errors: new Dictionary<string, string[]> { ["email"] = ["Enter a valid email address."] }),
        401 => Problem(401, "Not signed in", "Not signed in."),
        403 => Problem(403, "Missing CSRF header", "Send the header X-CSRF: 1 with this request (protection against cross-site request forgery)."),
        404 => Problem(404, "No such user", "There is no user 0193f4a2-7c1e-7d40-9a51-3c2b1f0e9d88."),
        409 => Problem(409, "Username taken", "This username is already taken.",
            new Dictionary<string, string[]> { ["username"] = ["This username is already taken."] }),
        429 => Problem(429, "Too many requests", "Too many requests from this address; try again in 60 s."),
        503 => Problem(503, PasswordHashingBusy.Title, PasswordHashingBusy.Detail),
        _ => Problem(status, "Error"),
    };

    private static string ProblemType(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        _ => "about:blank",
    };

    private static string Code(int status) => status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static JsonNode? ToNode(object value) => JsonSerializer.SerializeToNode(value, value.GetType(), Json);
}
