using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using SalesMind.TestSupport;

namespace SalesMind.EndToEnd.Tests;

/// <summary>A problem that names an API path names it as the caller reaches it: behind nginx, under /notifier.</summary>
public sealed class ProblemPathsOverHttpTests
{
    private static readonly TimeSpan MailPatience = TimeSpan.FromSeconds(30);

    private static async Task<HttpResponseMessage> SendAsync(string token, HttpMethod method, string path, object? body = null,
        string? forwardedPrefix = null)
    {
        using var request = new HttpRequestMessage(method, $"/notifier/api/admin/{path}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (forwardedPrefix is not null)
        {
            request.Headers.Add("X-Forwarded-Prefix", forwardedPrefix);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await FrontDoor.Client.SendAsync(request);
    }

    [Fact]
    public async Task A_retry_refused_for_a_suppressed_address_names_the_lift_under_notifier()
    {
        var token = (await SignedInAdmin.AdminTokenAsync()).Token;
        var to = $"paths-{Guid.NewGuid():N}@bounce.test";
        using var sent = await SendAsync(token, HttpMethod.Post, "templates/welcome/test-send", new { to, locale = "en" });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var id = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("delivery_id").GetString();
        try
        {
            await Eventually.HoldsAsync(async () =>
            {
                using var response = await SendAsync(token, HttpMethod.Get, $"deliveries/{id}");
                return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString() == "bounced";
            }, MailPatience, $"delivery {id} bounced");

            // A client's own X-Forwarded-Prefix is replaced by nginx's.
            var named = "";
            foreach (var claimed in new string?[] { null, "/elsewhere" })
            {
                using var refused = await SendAsync(token, HttpMethod.Post, $"deliveries/{id}/retry", forwardedPrefix: claimed);
                var body = await refused.Content.ReadAsStringAsync();
                Assert.True(refused.StatusCode == HttpStatusCode.Conflict, $"{(int)refused.StatusCode} {body}");
                var detail = JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString() ?? "";
                Assert.Contains($"DELETE /notifier/api/admin/suppressions/{Uri.EscapeDataString(to)}", detail);

                named = detail[(detail.IndexOf("DELETE ", StringComparison.Ordinal) + "DELETE ".Length)..].TrimEnd('.', ')');
            }

            // The path it names is one that works from here: it lifts the suppression.
            using var lift = new HttpRequestMessage(HttpMethod.Delete, named);
            lift.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var lifted = await FrontDoor.Client.SendAsync(lift);
            Assert.Equal(HttpStatusCode.NoContent, lifted.StatusCode);
        }
        finally
        {
            using var _ = await SendAsync(token, HttpMethod.Delete, $"suppressions/{Uri.EscapeDataString(to)}");
        }
    }
}
