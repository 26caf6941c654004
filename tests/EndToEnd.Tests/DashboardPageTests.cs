using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SalesMind.TestSupport;

namespace SalesMind.EndToEnd.Tests;

/// <summary>An admin watches the delivery dashboard while a bounce and a delivery happen, and lifts the bounce's suppression.</summary>
public sealed class DashboardPageTests(Browser browser) : IClassFixture<Browser>
{
    private static readonly TimeSpan MailPatience = TimeSpan.FromSeconds(30);

    /// <summary>The page refreshes every 3 s: a change shows within one refresh and its requests.</summary>
    private static readonly TimeSpan LiveWithin = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task An_admin_sees_a_bounce_and_a_delivery_arrive_without_reloading_and_lifts_the_suppression()
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        var bouncing = $"dashboard-{id}@bounce.test";
        var receiving = Stack.NewMailbox("dashboard");
        var notifier = await NotifierAdmin.CreateAsync();
        try
        {
            var (page, errors) = await DashboardPageAsync();
            // Still there at the end only if the page never reloaded.
            await page.EvaluateAsync("() => { window.sameDocument = true; }");
            await Assertions.Expect(page.Locator("#refresh-note")).ToHaveAttributeAsync("data-state", "live");
            await Assertions.Expect(page.Locator("#refresh-text")).ToContainTextAsync("Updated");

            // Both outboxes and the broker's queues are on the page.
            await Assertions.Expect(page.Locator("#outbox-identity [data-field='pending']")).ToHaveTextAsync(new Regex(@"^\d[\d,]*$"));
            await Assertions.Expect(page.Locator("#outbox-notifier [data-field='pending']")).ToHaveTextAsync(new Regex(@"^\d[\d,]*$"));
            await Assertions.Expect(page.Locator("#queues-problem")).ToBeHiddenAsync();
            await Assertions.Expect(page.Locator("#queues tbody tr[data-queue='user-registered']")).ToContainTextAsync("user-registered");
            Assert.True(await page.Locator("#queues tbody tr[data-queue]").CountAsync() >= 2, "the queue table should list the service's queues");

            // A hard bounce and a delivery, made through the API while the page stays open.
            var bounce = await notifier.TestSendAsync(bouncing);
            var delivery = await notifier.TestSendAsync(receiving);

            await notifier.WaitForStatusAsync(bounce, "bounced");
            var failure = page.Locator($"#failures tr[data-id='{bounce}']");
            await Assertions.Expect(failure).ToContainTextAsync("5.1.1", new() { Timeout = (float)LiveWithin.TotalMilliseconds });
            await Assertions.Expect(failure).ToContainTextAsync(bouncing);
            await Assertions.Expect(failure).ToContainTextAsync("Bounced");
            // 5.1.1 is a hard failure: its class beside the status.
            await Assertions.Expect(failure.Locator(".class-badge[data-class='hard']")).ToBeVisibleAsync();
            await Assertions.Expect(failure.Locator(".delivery-retry")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#tiles [data-status='bounced']")).ToHaveClassAsync(new Regex(@"\bis-alert\b"));

            // The delivered count moves: the page shows a count the server gave after ours was delivered.
            // (Not "before + 1": other deliveries arrive and old ones leave the hour meanwhile.)
            await notifier.WaitForStatusAsync(delivery, "delivered");
            var seen = new HashSet<long>();
            var tile = page.Locator("#tiles [data-status='delivered'] .tile-hour");
            await Eventually.HoldsAsync(async () =>
            {
                seen.Add(await notifier.DeliveredLastHourAsync());
                return long.TryParse(await tile.GetAttributeAsync("data-value"), out var shown) && seen.Contains(shown);
            }, LiveWithin, "the delivered tile shows a count that includes the new delivery");

            // The bounced address is suppressed, on the page too.
            var suppression = page.Locator($"#suppressions tr[data-address='{bouncing}']");
            await Assertions.Expect(suppression).ToContainTextAsync("5.1.1", new() { Timeout = (float)LiveWithin.TotalMilliseconds });

            // The delivery's detail: its attempt and the report that said it bounced.
            await failure.Locator(".delivery-detail").ClickAsync();
            var detail = page.Locator("#detail");
            await Assertions.Expect(detail).ToBeVisibleAsync();
            await Assertions.Expect(detail.Locator("[data-field='address']")).ToHaveTextAsync(bouncing);
            await Assertions.Expect(detail.Locator("table.attempts tbody tr")).ToHaveCountAsync(1);
            await Assertions.Expect(detail.Locator("table.attempts")).ToContainTextAsync("250");
            await Assertions.Expect(detail.Locator("table.reports")).ToContainTextAsync("5.1.1");
            await Assertions.Expect(detail.Locator("[data-field='failure-class'] .class-badge")).ToHaveAttributeAsync("data-class", "hard");
            await Assertions.Expect(detail.Locator("table.reports .class-badge[data-class='hard']").First).ToBeVisibleAsync();
            await ShotAsync(page, "dashboard-detail", fullPage: false);
            await page.Keyboard.PressAsync("Escape");
            await Assertions.Expect(detail).ToBeHiddenAsync();
            await Assertions.Expect(failure.Locator(".delivery-detail")).ToBeFocusedAsync();

            // The search finds it by status and recipient, and by its failure class; not by another class.
            await page.SelectOptionAsync("#search-status", "bounced");
            await page.SelectOptionAsync("#search-class", "soft");
            await page.FillAsync("#search-recipient", bouncing.ToUpperInvariant());
            await page.ClickAsync("#search-submit");
            await Assertions.Expect(page.Locator("#search-status-line")).ToContainTextAsync("No delivery matches");
            await page.SelectOptionAsync("#search-class", "hard");
            await page.ClickAsync("#search-submit");
            await Assertions.Expect(page.Locator("#results tbody tr")).ToHaveCountAsync(1);
            await Assertions.Expect(page.Locator($"#results tbody tr[data-id='{bounce}']")).ToContainTextAsync("5.1.1");
            await Assertions.Expect(page.Locator($"#results tbody tr[data-id='{bounce}'] .class-badge[data-class='hard']")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#results-more")).ToBeHiddenAsync();

            await ShotAsync(page, "dashboard", fullPage: true);

            // Lifted, the address leaves the list, on the page and in the API.
            page.Dialog += (_, dialog) => dialog.AcceptAsync();
            await suppression.Locator(".suppression-lift").ClickAsync();
            await Assertions.Expect(suppression).ToHaveCountAsync(0);
            await Assertions.Expect(page.Locator("#suppressions-status")).ToContainTextAsync($"{bouncing} gets email again");
            Assert.DoesNotContain(bouncing, await notifier.SuppressedAddressesAsync());

            // A phone's width: nothing but the tables' own boxes scrolls sideways.
            await page.SetViewportSizeAsync(360, 800);
            await Assertions.Expect(page.Locator("#chart-minute svg")).ToHaveAttributeAsync("width", new Regex(@"^(2\d\d|3[0-5]\d)$"));
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"),
                "the dashboard should fit a 360px screen");
            await ShotAsync(page, "dashboard-360", fullPage: true);

            Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), "the page should never have reloaded");
            Assert.Empty(errors);
        }
        finally
        {
            // Other tests may send to nothing at bounce.test, but leave no suppression behind.
            await notifier.LiftAsync(bouncing);
        }
    }

    [Fact]
    public async Task The_page_alarms_only_with_cause_names_the_latency_window_and_counts_suppressed_addresses()
    {
        var (page, errors) = await SignedInAdmin.OpenAsync(browser, "/dashboard.html");
        // The answer is the server's shape with chosen numbers: a state no running stack can be put in on demand.
        var asked = new List<string>();
        await page.RouteAsync("**/notifier/api/admin/dashboard*", async route =>
        {
            asked.Add(route.Request.Url);
            var response = await route.FetchAsync();
            var answer = System.Text.Json.Nodes.JsonNode.Parse(await response.TextAsync())!.AsObject();
            var excluded = route.Request.Url.Contains("exclude_test_sends=true", StringComparison.Ordinal);
            answer["queues"] = System.Text.Json.Nodes.JsonNode.Parse("""
                [{"name":"salesmind.dead-letters","messages":0,"consumers":0,"is_error_queue":false,"is_dead_letter_queue":true,"expects_consumer":false},
                 {"name":"user-registered","messages":0,"consumers":0,"is_error_queue":false,"is_dead_letter_queue":false,"expects_consumer":true},
                 {"name":"user-registered_error","messages":0,"consumers":0,"is_error_queue":true,"is_dead_letter_queue":false,"expects_consumer":false},
                 {"name":"user-registered_skipped","messages":0,"consumers":0,"is_error_queue":false,"is_dead_letter_queue":false,"expects_consumer":false},
                 {"name":"welcome-held","messages":4,"consumers":1,"is_error_queue":false,"is_dead_letter_queue":false,"expects_consumer":true}]
                """);
            if (asked.Count > 3)
            {
                answer["queues"]![0]!["messages"] = 2;
            }

            answer["latency_window"] = new System.Text.Json.Nodes.JsonObject { ["minutes"] = 60, ["excludes_test_sends"] = excluded };
            answer["suppressed"] = new System.Text.Json.Nodes.JsonObject { ["addresses"] = 3, ["deliveries_last_hour"] = 5 };
            await route.FulfillAsync(new() { Response = response, Body = answer.ToJsonString() });
        });
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#tiles [data-status='delivered']")).ToBeVisibleAsync();

        // Only a queue meant to have a consumer is flagged for lacking one; an empty dead-letter queue is normal.
        await Assertions.Expect(page.Locator("#queues tr[data-queue='user-registered']")).ToHaveClassAsync(new Regex(@"\bis-warn\b"));
        await Assertions.Expect(page.Locator("#queues tr[data-queue='user-registered'] .queue-state")).ToHaveTextAsync("No consumer");
        foreach (var quiet in new[] { "salesmind.dead-letters", "user-registered_error", "user-registered_skipped", "welcome-held" })
        {
            await Assertions.Expect(page.Locator($"#queues tr[data-queue='{quiet}'] .queue-state")).ToHaveTextAsync("OK");
        }

        // Dead letters arrive: now an operator has something to act on.
        var deadLetters = page.Locator("#queues tr[data-queue='salesmind.dead-letters']");
        await Assertions.Expect(deadLetters).ToHaveClassAsync(new Regex(@"\bis-warn\b"), new() { Timeout = (float)(3 * LiveWithin).TotalMilliseconds });
        await Assertions.Expect(deadLetters.Locator(".queue-state")).ToHaveTextAsync("Holds messages the broker gave up on");

        // The Suppressed tile counts addresses, as the list does; held-back emails are a labelled line of their own.
        var suppressed = page.Locator("#tiles [data-status='suppressed']");
        await Assertions.Expect(suppressed.Locator(".tile-hour")).ToHaveAttributeAsync("data-value", "3");
        await Assertions.Expect(suppressed.Locator(".tile-unit")).ToHaveTextAsync("addresses suppressed now");
        await Assertions.Expect(suppressed.Locator(".tile-held")).ToHaveTextAsync("5 emails held back in the last hour");

        // The latency cards say their window; the choice to leave test sends out is asked for and kept.
        var window = page.Locator("#latency-accepted [data-field='window']");
        await Assertions.Expect(window).ToHaveTextAsync("Emails that got there in the last hour (test sends included)");
        await page.CheckAsync("#latency-exclude-tests");
        await Assertions.Expect(window).ToHaveTextAsync("Emails that got there in the last hour (test sends left out)");
        Assert.Contains(asked, url => url.Contains("exclude_test_sends=true", StringComparison.Ordinal));
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#latency-exclude-tests")).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("#latency-delivered [data-field='window']")).ToHaveTextAsync("Emails that got there in the last hour (test sends left out)");

        // In Japanese too.
        await page.ClickAsync("#lang-toggle");
        await Assertions.Expect(window).ToHaveTextAsync("過去1時間に達した配信 (テスト送信を除く)");
        await Assertions.Expect(page.Locator("label[for='latency-exclude-tests']")).ToHaveTextAsync("管理者のテスト送信を除く");
        await Assertions.Expect(suppressed.Locator(".tile-unit")).ToHaveTextAsync("アドレス（いま停止中）");
        await Assertions.Expect(suppressed.Locator(".tile-held")).ToHaveTextAsync("止めた配信: 過去1時間 5 件");
        await page.ClickAsync("#lang-toggle");

        // Leave the choice as other tests expect it.
        await page.UncheckAsync("#latency-exclude-tests");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_search_finds_deliveries_by_domain_and_by_prefix_and_says_how()
    {
        var notifier = await NotifierAdmin.CreateAsync();
        var tag = Guid.NewGuid().ToString("N")[..10];
        var first = await notifier.TestSendAsync($"search-{tag}-a@discard.test");
        var second = await notifier.TestSendAsync($"search-{tag}-b@discard.test");
        var (page, errors) = await DashboardPageAsync();

        await Assertions.Expect(page.Locator("#search-recipient-hint")).ToContainTextAsync("hanako*");
        await Assertions.Expect(page.Locator("#search-recipient-hint")).ToContainTextAsync("@example.com");

        await page.FillAsync("#search-recipient", $"SEARCH-{tag}*");
        await page.ClickAsync("#search-submit");
        await Assertions.Expect(page.Locator("#results tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator($"#results tbody tr[data-id='{second}']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator($"#results tbody tr[data-id='{first}']")).ToBeVisibleAsync();

        await page.FillAsync("#search-recipient", "@discard.test");
        await page.ClickAsync("#search-submit");
        await Assertions.Expect(page.Locator($"#results tbody tr[data-id='{second}']")).ToBeVisibleAsync();

        // A malformed search is answered with what to write instead.
        await page.FillAsync("#search-recipient", "sea*rch");
        await page.ClickAsync("#search-submit");
        await Assertions.Expect(page.Locator("#search-status-line")).ToContainTextAsync("* only at its end");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_signed_out_visitor_is_offered_the_login_that_comes_back_to_the_dashboard()
    {
        var context = await browser.Instance.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{Stack.FrontDoor}/dashboard.html?lang=en");
        await Assertions.Expect(page.Locator("#access-signed-out")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#dashboard-app")).ToBeHiddenAsync();
        Assert.Equal("/login.html?next=%2Fdashboard.html", await page.GetAttributeAsync("#access-login", "href"));
        await context.CloseAsync();
    }

    /// <summary>A new verified admin, logged in, who reaches the dashboard from their account page.</summary>
    private async Task<(IPage Page, List<string> Errors)> DashboardPageAsync()
    {
        var (page, errors) = await SignedInAdmin.OpenAsync(browser, "/dashboard.html");
        await Assertions.Expect(page.Locator("#tiles [data-status='delivered']")).ToBeVisibleAsync();
        return (page, errors);
    }

    /// <summary>Kept with the test results (.stack/test-results/screenshots) for a person to look at.</summary>
    private static async Task ShotAsync(IPage page, string name, bool fullPage)
    {
        var dir = Path.Combine(Stack.RepoRoot, ".stack", "test-results", "screenshots");
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, name + ".png"), FullPage = fullPage });
    }

    private static Task<string> StackAsync(params string[] arguments) => SignedInAdmin.StackAsync(arguments);

    /// <summary>The Notifier's admin API behind the front door: the deliveries the test makes, and what it checks.</summary>
    private sealed class NotifierAdmin(string token)
    {
        public static async Task<NotifierAdmin> CreateAsync() => new((await SignedInAdmin.AdminTokenAsync()).Token);

        public async Task<string> TestSendAsync(string to)
        {
            using var response = await SendAsync(HttpMethod.Post, "templates/welcome/test-send", new { to, locale = "en" });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("delivery_id").GetString()!;
        }

        public async Task WaitForStatusAsync(string delivery, string status) =>
            await Eventually.HoldsAsync(async () => (await GetAsync($"deliveries/{delivery}")).GetProperty("status").GetString() == status,
                MailPatience, $"delivery {delivery} is {status}");

        public async Task<long> DeliveredLastHourAsync() =>
            (await GetAsync("dashboard")).GetProperty("statuses").EnumerateArray()
                .Where(s => s.GetProperty("status").GetString() == "delivered")
                .Select(s => s.GetProperty("last_hour").GetInt64())
                .SingleOrDefault();

        public async Task<List<string>> SuppressedAddressesAsync() =>
            (await GetAsync("suppressions")).EnumerateArray().Select(s => s.GetProperty("address").GetString()!).ToList();

        /// <summary>Lifts a suppression if there is one (404 when there is none).</summary>
        public async Task LiftAsync(string address)
        {
            using var response = await SendAsync(HttpMethod.Delete, $"suppressions/{Uri.EscapeDataString(address)}");
            Assert.True(response.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.NotFound, $"lifting {address} answered {(int)response.StatusCode}");
        }

        private async Task<JsonElement> GetAsync(string path)
        {
            using var response = await SendAsync(HttpMethod.Get, path);
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }

        private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null)
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
}
