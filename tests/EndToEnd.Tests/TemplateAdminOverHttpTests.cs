using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using SalesMind.TestSupport;

namespace SalesMind.EndToEnd.Tests;

/// <summary>An admin changes the verification email through the front door, and the next sign-up gets it.</summary>
public sealed class TemplateAdminOverHttpTests
{
    private static readonly TimeSpan MailPatience = TimeSpan.FromSeconds(30);

    private static async Task<JsonElement> SendAsync(HttpMethod method, string path, string? token, object? body, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(method, "/notifier/api/admin" + path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await FrontDoor.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task An_admin_creates_previews_test_sends_and_activates_a_version_and_the_next_sign_up_uses_it()
    {
        var token = await SignUpOverHttpTests.AdminTokenAsync();
        var marker = $"edition-{Guid.NewGuid():N}";
        var detail = await SendAsync(HttpMethod.Get, "/templates/email-verification", token, null, HttpStatusCode.OK);
        var current = detail.GetProperty("active").EnumerateArray().Single(v => v.GetProperty("locale").GetString() == "en");
        var original = current.GetProperty("version").GetInt32();
        // The same subject and link as before (other tests read them); the body carries the marker.
        var draft = new
        {
            subject = current.GetProperty("subject").GetString(),
            html = current.GetProperty("html").GetString()!.Replace("</body>", $"<p>{marker}</p></body>", StringComparison.Ordinal),
            text = current.GetProperty("text").GetString() + $"\n{marker}\n",
        };

        try
        {
            var preview = await SendAsync(HttpMethod.Post, "/templates/email-verification/preview", token, new { locale = "en", draft }, HttpStatusCode.OK);
            Assert.Contains(marker, preview.GetProperty("text").GetString());

            var saved = await SendAsync(HttpMethod.Post, "/templates/email-verification/versions", token,
                new { locale = "en", draft.subject, draft.html, draft.text, note = "adds the edition marker" }, HttpStatusCode.Created);
            var version = saved.GetProperty("version").GetInt32();

            var to = Stack.NewMailbox("template-test");
            var sent = await SendAsync(HttpMethod.Post, "/templates/email-verification/test-send", token, new { to, locale = "en", version }, HttpStatusCode.Accepted);
            var id = sent.GetProperty("delivery_id").GetGuid();
            // The link to follow it is as the caller reaches the Notifier: through nginx's prefix.
            Assert.Equal($"/notifier/api/admin/deliveries/{id}", sent.GetProperty("status_url").GetString());
            var test = Assert.Single(await Mailbox.WaitForAsync(to, MailPatience));
            Assert.Contains(marker, test.TextBody);
            Assert.Equal("true", test.Headers["X-SalesMind-Test"]);

            await SendAsync(HttpMethod.Post, $"/templates/email-verification/versions/en/{version}/activate", token, null, HttpStatusCode.OK);
            var form = FrontDoor.NewSignup("en");
            Assert.Equal(HttpStatusCode.Accepted, (await FrontDoor.RegisterAsync(form)).StatusCode);
            var mail = Assert.Single(await Mailbox.WaitForAsync(form["email"]!, MailPatience));
            Assert.Contains(marker, mail.TextBody);
            Assert.Contains(marker, mail.HtmlBody);
            FrontDoor.VerificationLink(mail);
        }
        finally
        {
            await SendAsync(HttpMethod.Post, $"/templates/email-verification/versions/en/{original}/activate", token, null, HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task The_API_reference_is_served_through_the_front_door_and_points_at_the_prefixed_API()
    {
        var page = await FrontDoor.Client.GetAsync("/notifier/docs/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var document = JsonDocument.Parse(await FrontDoor.Client.GetStringAsync("/notifier/openapi/v1.json")).RootElement;
        Assert.EndsWith("/notifier/", document.GetProperty("servers")[0].GetProperty("url").GetString()!.TrimEnd('/') + "/");
        Assert.True(document.GetProperty("paths").TryGetProperty("/api/admin/templates/{key}/test-send", out _));
    }

    [Fact]
    public async Task Without_a_token_the_admin_api_answers_401_through_the_front_door()
    {
        foreach (var (method, path) in new[] { (HttpMethod.Get, "/templates"), (HttpMethod.Post, "/templates/welcome/versions"), (HttpMethod.Get, "/senders"), (HttpMethod.Get, "/audit") })
        {
            await SendAsync(method, path, null, method == HttpMethod.Post ? new { } : null, HttpStatusCode.Unauthorized);
        }
    }
}
