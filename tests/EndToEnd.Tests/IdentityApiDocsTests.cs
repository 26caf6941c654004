using System.Net;
using System.Text.Json;

namespace SalesMind.EndToEnd.Tests;

/// <summary>Identity's API reference through the front door: the page with its policy, and the document it reads.</summary>
public sealed class IdentityApiDocsTests
{
    [Fact]
    public async Task The_Identity_API_reference_is_served_through_the_front_door_with_its_policy_and_document()
    {
        using var page = await FrontDoor.Client.GetAsync("/api/docs/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("api/openapi/v1.json", await page.Content.ReadAsStringAsync());
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self';", policy);
        Assert.Contains("style-src 'self' 'unsafe-inline'", policy);

        using var script = await FrontDoor.Client.GetAsync("/api/docs/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        var document = JsonDocument.Parse(await FrontDoor.Client.GetStringAsync("/api/openapi/v1.json")).RootElement;
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name.TrimEnd('/')).ToList();
        Assert.Contains("/api/auth/register", paths);
        Assert.Contains("/api/admin/users/{id}", paths);
    }
}
