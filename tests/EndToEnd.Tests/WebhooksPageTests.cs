using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Playwright;
using SalesMind.TestSupport;

namespace SalesMind.EndToEnd.Tests;

/// <summary>
/// An admin in a browser registers an outcome webhook to a receiver inside the test, copies the
/// secret shown once, sends a test event, sees it in the delivery log, verifies its signature as
/// the README shows, disables, rotates and deletes the endpoint, in English, Japanese and on a phone.
/// </summary>
public sealed class WebhooksPageTests(Browser browser) : IClassFixture<Browser>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_admin_adds_an_endpoint_sends_a_test_event_sees_it_signed_in_the_log_and_rotates_disables_and_deletes_it()
    {
        using var receiver = new Receiver();
        var (page, errors) = await SignedInAdmin.OpenAsync(browser, "/dashboard.html");
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.ClickAsync(".admin-links a[href='/webhooks.html']");
        await page.WaitForURLAsync("**/webhooks.html", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#hooks-app")).ToBeVisibleAsync();

        // The metadata address is refused, with the reason under the field.
        await page.FillAsync("#create-url", "https://169.254.169.254/latest/meta-data/");
        await page.ClickAsync("#create-submit");
        await Assertions.Expect(page.Locator("#create-url-error")).ToContainTextAsync("link-local");

        // The receiver in the test (the local stack allows http and 127.0.0.0/8).
        await page.FillAsync("#create-url", receiver.Url);
        await page.FillAsync("#create-description", "browser test receiver");
        await page.CheckAsync("#create-event-delivered");
        await page.ClickAsync("#create-submit");
        await Assertions.Expect(page.Locator("#secret-box")).ToBeVisibleAsync();
        var secret = await page.Locator("#secret-value").InnerTextAsync();
        Assert.Matches("^whsec_[A-Za-z0-9_-]{43}$", secret);
        await page.ClickAsync("#secret-done");
        await Assertions.Expect(page.Locator("#secret-box")).ToBeHiddenAsync();
        Assert.Equal(0, await page.Locator($"text={secret}").CountAsync());

        var row = page.Locator("#endpoints tbody tr").Filter(new() { HasText = receiver.Url });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync("delivered, bounced, complained, failed");
        await row.Locator(".hook-open").ClickAsync();
        await Assertions.Expect(page.Locator("#endpoint-heading")).ToHaveTextAsync(receiver.Url);

        // A test event: posted, signed with the secret, shown in the log as succeeded.
        await page.ClickAsync("#endpoint-test");
        await Assertions.Expect(page.Locator("#endpoint-status")).ToContainTextAsync("A test event is on its way");
        var post = await receiver.NextTestAsync(Patience);
        Assert.True(Receiver.Verifies(secret, post), $"signature {post.Signature} over {post.Body}");
        Assert.False(Receiver.Verifies(secret + "x", post));
        var succeeded = page.Locator("#log tbody tr[data-type='test'][data-status='succeeded']");
        var deadline = DateTime.UtcNow + Patience;
        while (await succeeded.CountAsync() == 0 && DateTime.UtcNow < deadline)
        {
            await page.ClickAsync("#log-refresh");
            await page.WaitForTimeoutAsync(250);
        }

        await Assertions.Expect(succeeded).ToHaveCountAsync(1);
        await Assertions.Expect(succeeded).ToContainTextAsync("HTTP 200");

        // Disabled, then a new secret (shown once again), which signs the next event.
        await page.ClickAsync("#endpoint-toggle");
        await Assertions.Expect(page.Locator("#endpoint-state")).ToContainTextAsync("Disabled");
        await Assertions.Expect(row).ToContainTextAsync("Disabled");
        await page.ClickAsync("#endpoint-rotate");
        await Assertions.Expect(page.Locator("#secret-box")).ToBeVisibleAsync();
        var rotated = await page.Locator("#secret-value").InnerTextAsync();
        Assert.NotEqual(secret, rotated);
        await page.ClickAsync("#endpoint-test");
        var second = await receiver.NextTestAsync(Patience);
        Assert.True(Receiver.Verifies(rotated, second));
        Assert.False(Receiver.Verifies(secret, second));

        // In Japanese, and on a phone: nothing wider than the screen.
        await page.ClickAsync("#lang-toggle");
        await Assertions.Expect(page.Locator("#hooks-heading")).ToHaveTextAsync("配信結果の Webhook");
        await Assertions.Expect(page.Locator("#endpoint-state")).ToContainTextAsync("停止中");
        await page.SetViewportSizeAsync(360, 800);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "the webhooks page should fit a 360px screen");

        // Deleted, with its log.
        await page.ClickAsync("#endpoint-delete");
        await Assertions.Expect(page.Locator("#endpoint")).ToBeHiddenAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_signed_out_visitor_is_offered_the_login_that_comes_back_to_the_webhooks_page()
    {
        var context = await browser.Instance.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{Stack.FrontDoor}/webhooks.html?lang=en");
        await Assertions.Expect(page.Locator("#access-signed-out")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#hooks-app")).ToBeHiddenAsync();
        Assert.Equal("/login.html?next=%2Fwebhooks.html", await page.GetAttributeAsync("#access-login", "href"));
        await context.CloseAsync();
    }

    /// <summary>A webhook receiver on 127.0.0.1 that keeps every POST and answers 200.</summary>
    private sealed class Receiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly BlockingCollection<Post> _posts = [];

        public sealed record Post(string? Signature, string? EventType, string Body);

        public Receiver()
        {
            using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                Port = ((IPEndPoint)probe.LocalEndpoint).Port;
            }

            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    try
                    {
                        var context = await _listener.GetContextAsync();
                        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                        _posts.Add(new Post(context.Request.Headers["SalesMind-Signature"], context.Request.Headers["SalesMind-Event-Type"], await reader.ReadToEndAsync()));
                        context.Response.StatusCode = 200;
                        context.Response.Close();
                    }
                    catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                    {
                        return;
                    }
                }
            });
        }

        public int Port { get; }

        public string Url => $"http://127.0.0.1:{Port}/webhook";

        /// <summary>The next test event (other tests on the shared stack may cause real outcome events meanwhile).</summary>
        public Task<Post> NextTestAsync(TimeSpan timeout) => Task.Run(() =>
        {
            var deadline = DateTime.UtcNow + timeout;
            while (_posts.TryTake(out var post, deadline - DateTime.UtcNow is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero))
            {
                if (post.EventType == "test")
                {
                    return post;
                }
            }

            throw new TimeoutException($"no test event POSTed within {timeout}");
        });

        /// <summary>The README's check: t within 5 minutes, hex HMAC-SHA256 of "t.body" under the secret as shown, compared in constant time.</summary>
        public static bool Verifies(string secret, Post post)
        {
            var parts = (post.Signature ?? "").Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
            if (!parts.TryGetValue("t", out var t) || !parts.TryGetValue("v1", out var v1)
                || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - seconds) > 300)
            {
                return false;
            }

            var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{post.Body}")));
            return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(v1));
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
        }
    }
}
