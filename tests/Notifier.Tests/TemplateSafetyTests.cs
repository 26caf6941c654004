using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SalesMind.ServiceDefaults;
using SalesMind.TestSupport;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Tests;

[Collection(NotifierCollection.Name)]
public sealed class TemplateSafetyApiTests(NotifierApp app)
{
    [Fact]
    public async Task Every_attack_is_refused_by_the_api_and_nothing_is_saved()
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminEndpoints.Token(app.Services, AdminAuth.AdminRole));
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotifierDb>();
        await scope.ServiceProvider.GetRequiredService<TemplateStore>().EnsureSeededAsync(db, CancellationToken.None);
        var before = await db.TemplateVersions.CountAsync(v => v.TemplateKey == TemplateKeys.Welcome);

        foreach (var attack in TemplateAttacks.All)
        {
            var (name, template, reason) = ((string)attack[0], (string)attack[1], (string)attack[2]);
            foreach (var part in new[] { "subject", "html", "text" })
            {
                var body = new Dictionary<string, object>
                {
                    ["locale"] = "en",
                    ["subject"] = "Welcome",
                    ["html"] = "<p>Hello @Model.Username</p>",
                    ["text"] = "Hello @Model.Username",
                    ["activate"] = true,
                };
                body[part] = template;
                using var response = await client.PostAsJsonAsync("/api/admin/templates/welcome/versions", body);
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name} in {part}: {(int)response.StatusCode}");
                var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
                var messages = problem.GetProperty("errors").GetProperty(part).EnumerateArray().Select(m => m.GetString()!).ToList();
                Assert.Contains(messages, m => m.Contains(reason, StringComparison.OrdinalIgnoreCase) && m.StartsWith("line 1, column", StringComparison.Ordinal));

                // A preview of the same draft is refused the same way: nothing renders it.
                body.Remove("activate");
                using var preview = await client.PostAsJsonAsync("/api/admin/templates/welcome/preview",
                    new { locale = "en", draft = new { subject = body["subject"], html = body["html"], text = body["text"] } });
                Assert.Equal(HttpStatusCode.BadRequest, preview.StatusCode);
            }
        }

        Assert.Equal(before, await db.TemplateVersions.CountAsync(v => v.TemplateKey == TemplateKeys.Welcome));
    }
}
