using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace SalesMind.Identity.Tests;

[Collection(IdentityCollection.Name)]
public sealed partial class ApiDocsTests(IdentityApp app)
{
    [Fact]
    public async Task The_OpenAPI_document_describes_every_endpoint_with_a_summary_and_an_example_and_the_reference_page_loads_it()
    {
        var client = app.Client();
        var text = await client.GetStringAsync("/api/openapi/v1.json");
        var document = JsonDocument.Parse(text).RootElement;
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty("Bearer").GetProperty("scheme").GetString());
        Assert.Equal("sm_session", schemes.GetProperty("Session").GetProperty("name").GetString());
        var paths = document.GetProperty("paths");

        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.TrimStart('/').StartsWith("api/", StringComparison.Ordinal)
                && !e.RoutePattern.RawText.Contains("/docs", StringComparison.Ordinal) && !e.RoutePattern.RawText.Contains("/openapi/", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Path: e.RoutePattern.RawText!)))
            .ToList();
        Assert.True(endpoints.Count >= 19, $"found only {endpoints.Count} endpoints");
        foreach (var (method, route) in endpoints)
        {
            var operation = paths.EnumerateObject().Where(p => Matches(p.Name, route))
                .Select(p => p.Value.TryGetProperty(method.ToLowerInvariant(), out var op) ? op : (JsonElement?)null)
                .SingleOrDefault(op => op is not null);
            Assert.True(operation is not null, $"{method} {route} is not in the OpenAPI document");
            Assert.True(operation!.Value.TryGetProperty("summary", out _), $"{method} {route} has no summary");
            Assert.True(operation.Value.ToString().Contains("\"example\"", StringComparison.Ordinal), $"{method} {route} has no example");
        }

        // The answers a client must handle are described: the CSRF header, a throttle's wait, the admin scheme.
        var login = Path(paths, "/api/auth/login/").GetProperty("post");
        Assert.Contains(login.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "X-CSRF" && p.GetProperty("required").GetBoolean());
        Assert.True(login.GetProperty("responses").GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _));
        var register = Path(paths, "/api/auth/register/").GetProperty("post");
        Assert.False(register.TryGetProperty("parameters", out var registerParameters) && registerParameters.ToString().Contains("X-CSRF", StringComparison.Ordinal));
        Assert.True(register.GetProperty("responses").GetProperty("400").ToString().Contains("\"errors\"", StringComparison.Ordinal));
        Assert.True(register.GetProperty("responses").TryGetProperty("503", out _));
        Assert.True(register.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").TryGetProperty("example", out _));
        var users = Path(paths, "/api/admin/users/").GetProperty("get");
        Assert.True(users.GetProperty("security")[0].TryGetProperty("Bearer", out _));
        Assert.True(users.GetProperty("responses").TryGetProperty("403", out _));

        // Examples are illustrations: no address outside the example domains, no token that looks live.
        Assert.DoesNotMatch(LiveLookingJwt(), text);
        foreach (Match address in EmailAddress().Matches(text))
        {
            Assert.True(address.Groups[1].Value is "example.com" or "salesmind.example", $"example address {address.Value} is not on an example domain");
        }

        var page = await client.GetAsync("/api/docs/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("api/openapi/v1.json", await page.Content.ReadAsStringAsync());
        // Scripts from files only: an injected inline script would not run.
        Assert.Contains("script-src 'self';", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/docs/init.js")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/docs/scalar.js")).StatusCode);
    }

    private static JsonElement Path(JsonElement paths, string path) =>
        paths.EnumerateObject().Single(p => p.Name.TrimEnd('/') == path.TrimEnd('/')).Value;

    private static bool Matches(string template, string route)
    {
        var a = template.Trim('/').Split('/');
        var b = route.Trim('/').Split('/');
        return a.Length == b.Length && a.Zip(b).All(p => p.First == p.Second || (p.First.StartsWith('{') && p.Second.StartsWith('{')));
    }

    // Three base64url parts of real length: a signed token someone could replay.
    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}")]
    private static partial Regex LiveLookingJwt();

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")]
    private static partial Regex EmailAddress();
}
