using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SalesMind.ServiceDefaults;
using Xunit;

namespace SalesMind.TestSupport;

/// <summary>Finds every mapped admin endpoint of a host and checks who may call it.</summary>
public static class AdminEndpoints
{
    /// <summary>Method and concrete path of every endpoint under <c>/api/admin</c> (route values filled with 1).</summary>
    public static List<(string Method, string Path)> Enumerate(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api/admin", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => (method, "/" + string.Join('/', e.RoutePattern.PathSegments.Select(segment =>
                    string.Concat(segment.Parts.Select(part => part switch
                    {
                        Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
                        // A value each route constraint accepts, so the request reaches the endpoint.
                        Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart p
                            when p.ParameterPolicies.Any(c => c.Content == "guid") => Guid.Empty.ToString(),
                        _ => "1",
                    })))))))
            .Distinct()
            .ToList();

    public static string Token(IServiceProvider services, params string[] roles) =>
        AdminAuth.CreateToken(services.GetRequiredService<IOptions<AuthOptions>>().Value, "test", roles, TimeSpan.FromMinutes(5));

    public static HttpRequestMessage Request(string method, string path, string? token)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    /// <summary>Asserts 401 without a token, 403 for a non-admin, and neither for an admin, on every admin endpoint.</summary>
    public static async Task AssertOnlyAdminsGetInAsync(IServiceProvider services, HttpClient client, int atLeast)
    {
        var endpoints = Enumerate(services);
        Assert.True(endpoints.Count >= atLeast, $"expected at least {atLeast} admin endpoints, found {endpoints.Count}");
        var user = Token(services, "user");
        var admin = Token(services, AdminAuth.AdminRole);
        foreach (var (method, path) in endpoints)
        {
            using var anonymous = await client.SendAsync(Request(method, path, null));
            Assert.True(anonymous.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} without a token answered {(int)anonymous.StatusCode}");
            using var forbidden = await client.SendAsync(Request(method, path, user));
            Assert.True(forbidden.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} for a non-admin answered {(int)forbidden.StatusCode}");
            using var allowed = await client.SendAsync(Request(method, path, admin));
            Assert.True(allowed.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden),
                $"{method} {path} for an admin answered {(int)allowed.StatusCode}");
        }

        // A token signed with another key is no token at all.
        var forged = AdminAuth.CreateToken(new AuthOptions { SigningKey = new string('x', 48) }, "mallory", [AdminAuth.AdminRole], TimeSpan.FromMinutes(5));
        var (firstMethod, firstPath) = endpoints[0];
        using var forgedResponse = await client.SendAsync(Request(firstMethod, firstPath, forged));
        Assert.Equal(HttpStatusCode.Unauthorized, forgedResponse.StatusCode);
    }
}
