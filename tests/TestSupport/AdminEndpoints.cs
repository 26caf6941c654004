using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
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

    /// <summary>
    /// A token from the test key pair for a made-up account (subject name <c>test</c>, token version 0):
    /// what the Notifier accepts, since it knows accounts only by the revocations Identity announced.
    /// Identity checks the account, so its tests use a real one (IdentityApp).
    /// </summary>
    public static string Token(IServiceProvider services, params string[] roles) => TestAdminTokens.Mint(NotifierTestAdmin, 0, roles);

    /// <summary>The account id behind <see cref="Token"/>.</summary>
    public static readonly Guid NotifierTestAdmin = Guid.Parse("0195a1b2-0000-7000-8000-00000000a11e");

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
    /// <remarks><paramref name="admin"/> and <paramref name="user"/> are valid tokens of an admin and of a non-admin.</remarks>
    public static async Task AssertOnlyAdminsGetInAsync(IServiceProvider services, HttpClient client, int atLeast, string admin, string user)
    {
        var endpoints = Enumerate(services);
        Assert.True(endpoints.Count >= atLeast, $"expected at least {atLeast} admin endpoints, found {endpoints.Count}");
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

        // The admin's own claims under any signature but Identity's are no token at all.
        foreach (var (name, forged) in TestAdminTokens.Forgeries(admin))
        {
            foreach (var (method, path) in endpoints)
            {
                using var forgedResponse = await client.SendAsync(Request(method, path, forged));
                Assert.True(forgedResponse.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} with a token forged by {name} answered {(int)forgedResponse.StatusCode}");
            }
        }
    }
}
