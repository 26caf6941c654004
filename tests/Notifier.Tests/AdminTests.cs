using System.Net;
using System.Text.Json;
using SalesMind.TestSupport;

namespace SalesMind.Notifier.Tests;

[Collection(NotifierCollection.Name)]
public sealed class AdminTests(NotifierApp app)
{
    [Fact]
    public async Task Every_admin_endpoint_answers_401_without_a_token_and_403_to_a_non_admin()
    {
        await AdminEndpoints.AssertOnlyAdminsGetInAsync(app.Services, app.CreateClient(), atLeast: 22,
            AdminEndpoints.Token(app.Services, SalesMind.ServiceDefaults.AdminAuth.AdminRole), AdminEndpoints.Token(app.Services, "user"));
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_every_admin_endpoint_with_an_example_and_the_reference_page_loads_it()
    {
        var client = app.CreateClient();
        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;
        var paths = document.GetProperty("paths");
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer").GetProperty("scheme").GetString());

        foreach (var (method, path) in AdminEndpoints.Enumerate(app.Services))
        {
            // The enumerator filled route values with 1 (or an empty guid); find the templated path it came from.
            var operation = paths.EnumerateObject()
                .Where(p => Matches(p.Name, path))
                .Select(p => p.Value.TryGetProperty(method.ToLowerInvariant(), out var op) ? op : (JsonElement?)null)
                .SingleOrDefault(op => op is not null);
            Assert.True(operation is not null, $"{method} {path} is not in the OpenAPI document");
            Assert.True(operation!.Value.TryGetProperty("summary", out _), $"{method} {path} has no summary");
            if (method == "DELETE" || path.EndsWith("/retry", StringComparison.Ordinal))
            {
                continue;
            }

            var examples = operation.Value.ToString();
            Assert.True(examples.Contains("\"example\"", StringComparison.Ordinal), $"{method} {path} has no example");
        }

        var page = await client.GetAsync("/docs/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("openapi/v1.json", await page.Content.ReadAsStringAsync());
    }

    private static bool Matches(string template, string concrete)
    {
        var a = template.Trim('/').Split('/');
        var b = concrete.Trim('/').Split('/');
        return a.Length == b.Length && a.Zip(b).All(p => p.First == p.Second || (p.First.StartsWith('{') && p.First.EndsWith('}')));
    }
}
