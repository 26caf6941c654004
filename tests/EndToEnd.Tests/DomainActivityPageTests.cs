using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SalesMind.TestSupport;

namespace SalesMind.EndToEnd.Tests;

/// <summary>The dashboard's section per recipient domain: a domain in trouble shows up with its newest reason, and a throttling one is called out.</summary>
public sealed class DomainActivityPageTests(Browser browser) : IClassFixture<Browser>
{
    private static readonly TimeSpan MailPatience = TimeSpan.FromSeconds(30);

    /// <summary>The page refreshes every 3 s; the section loads after each refresh.</summary>
    private static readonly TimeSpan LiveWithin = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task A_domain_that_defers_our_mail_appears_with_its_counts_and_newest_reason_without_reloading()
    {
        // A subdomain of the outcome domain that refuses for now at submission: only this test sends there.
        var domain = $"e2e-{Guid.NewGuid():N}"[..16] + ".tempfail.test";
        var token = (await SignedInAdmin.AdminTokenAsync()).Token;
        var (page, errors) = await SignedInAdmin.OpenAsync(browser, "/dashboard.html");
        await Assertions.Expect(page.Locator("#refresh-note")).ToHaveAttributeAsync("data-state", "live");
        await page.EvaluateAsync("() => { window.sameDocument = true; }");

        var first = await TestSendAsync(token, $"one@{domain}");
        var second = await TestSendAsync(token, $"two@{domain}");
        await WaitForStatusAsync(token, first, "deferred");
        await WaitForStatusAsync(token, second, "deferred");

        var row = page.Locator($"#domains tbody tr[data-domain='{domain}']");
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = (float)LiveWithin.TotalMilliseconds });
        await Assertions.Expect(row).ToContainTextAsync("simulated temporary refusal");
        await Assertions.Expect(row).ToHaveClassAsync(new Regex(@"\bis-warn\b"));
        // Domain, sent, delivered, deferred: two deferred, none handed over.
        await Assertions.Expect(row.Locator("td").Nth(2)).ToHaveTextAsync("2");
        await Assertions.Expect(row.Locator("td").Nth(0)).ToHaveTextAsync("0");
        await Assertions.Expect(page.Locator("#domains-status")).ToBeEmptyAsync();

        // In Japanese too, without a reload.
        await page.ClickAsync("#lang-toggle");
        await Assertions.Expect(page.Locator("#domains-heading")).ToHaveTextAsync("宛先ドメイン別（過去1時間）");
        await Assertions.Expect(row).ToContainTextAsync("遅延");

        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), "the page should never have reloaded");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_throttling_domain_is_highlighted_and_named_above_the_table_even_on_a_phone()
    {
        var (page, errors) = await SignedInAdmin.OpenAsync(browser, "/dashboard.html");
        // The server's shape with a throttling receiver: a state the local stack cannot be put in on demand.
        await page.RouteAsync("**/notifier/api/admin/dashboard/domains*", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 200,
            ContentType = "application/json",
            Body = """
                {"generated_at":"2026-11-30T04:00:00+00:00","window":"1h","since":"2026-11-30T03:00:00+00:00","domains":60,"items":[
                 {"domain":"gmail.com","total":240,"sent":236,"delivered":180,"deferred":41,"bounced":3,"failed":0,"throttled":38,"complained":0,"suppressed":1,"trouble":82,
                  "newest_failure":{"reason":"421-4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your IP address.","class":"throttled","status":"deferred","at":"2026-11-30T03:58:00+00:00"}},
                 {"domain":"docomo.ne.jp","total":35,"sent":35,"delivered":33,"deferred":0,"bounced":2,"failed":0,"throttled":0,"complained":0,"suppressed":0,"trouble":2,
                  "newest_failure":{"reason":"5.1.1 <taro@docomo.ne.jp>: Recipient address rejected: User unknown","class":"hard","status":"bounced","at":"2026-11-30T03:51:00+00:00"}},
                 {"domain":"example.co.jp","total":12,"sent":12,"delivered":12,"deferred":0,"bounced":0,"failed":0,"throttled":0,"complained":0,"suppressed":0,"trouble":0,"newest_failure":null}]}
                """,
        }));

        var gmail = page.Locator("#domains tbody tr[data-domain='gmail.com']");
        await Assertions.Expect(gmail).ToHaveClassAsync(new Regex(@"\bis-alert\b"), new() { Timeout = (float)LiveWithin.TotalMilliseconds });
        await Assertions.Expect(gmail).ToContainTextAsync("421-4.7.28");
        await Assertions.Expect(gmail).ToContainTextAsync("throttled by receiver");
        await Assertions.Expect(page.Locator("#domains-alert")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#domains-alert")).ToContainTextAsync("gmail.com (38)");
        await Assertions.Expect(page.Locator("#domains-alert")).Not.ToContainTextAsync("docomo.ne.jp");
        await Assertions.Expect(page.Locator("#domains tbody tr[data-domain='docomo.ne.jp']")).ToHaveClassAsync(new Regex(@"\bis-warn\b"));
        await Assertions.Expect(page.Locator("#domains tbody tr[data-domain='example.co.jp']")).Not.ToHaveClassAsync(new Regex(@"\bis-(alert|warn)\b"));
        await Assertions.Expect(page.Locator("#domains-more")).ToContainTextAsync("Showing 3 of 60 domains");

        // A phone's width: the notice stays in view, only the table's own box scrolls sideways.
        await page.SetViewportSizeAsync(360, 800);
        await page.Locator("#domains-panel").ScrollIntoViewIfNeededAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "the dashboard should fit a 360px screen");
        var alert = await page.Locator("#domains-alert").BoundingBoxAsync();
        Assert.NotNull(alert);
        Assert.True(alert.X >= 0 && alert.X + alert.Width <= 360, $"the notice should fit the screen ({alert.X}+{alert.Width})");
        Assert.Empty(errors);
    }

    private static async Task<string> TestSendAsync(string token, string to)
    {
        using var response = await SendAsync(token, HttpMethod.Post, "templates/welcome/test-send", new { to, locale = "en" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("delivery_id").GetString()!;
    }

    private static async Task WaitForStatusAsync(string token, string delivery, string status) =>
        await Eventually.HoldsAsync(async () =>
        {
            using var response = await SendAsync(token, HttpMethod.Get, $"deliveries/{delivery}");
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString() == status;
        }, MailPatience, $"delivery {delivery} is {status}");

    private static Task<HttpResponseMessage> SendAsync(string token, HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, $"/notifier/api/admin/{path}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return FrontDoor.Client.SendAsync(request);
    }
}
