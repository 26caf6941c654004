using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using SalesMind.TestSupport;

namespace SalesMind.EndToEnd.Tests;

/// <summary>
/// Every email's real fate on the running stack: a delivered one, a hard bounce and a deferral
/// that ends in a bounce, seen in the delivery API, in Identity's users API and by the browser
/// that signed up; and one trace from the sign-up request to the SMTP send.
/// </summary>
public sealed class DeliveryFatesOverHttpTests
{
    private static async Task<JsonElement> AdminGetAsync(string token, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await FrontDoor.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>A browser of its own: its cookies are its receipts.</summary>
    private static HttpClient Browser() => new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
    {
        BaseAddress = new Uri(Stack.FrontDoor),
    };

    private static async Task<JsonElement?> DeliveryAsync(string token, string recipient)
    {
        var page = await AdminGetAsync(token, $"/notifier/api/admin/deliveries?recipient={Uri.EscapeDataString(recipient)}&template=email-verification");
        return page.GetProperty("items").EnumerateArray().Select(d => (JsonElement?)d).FirstOrDefault();
    }

    private static async Task<JsonElement> WaitForDeliveryAsync(string token, string recipient, string status, TimeSpan patience)
    {
        JsonElement? found = null;
        await Eventually.HoldsAsync(async () => (found = await DeliveryAsync(token, recipient))?.GetProperty("status").GetString() == status,
            patience, $"the verification email to {recipient} {status} (last seen: {found?.GetProperty("status").GetString() ?? "none"})");
        return found!.Value;
    }

    private static async Task<string?> AddressStateAsync(string token, string username)
    {
        var users = await AdminGetAsync(token, $"/api/admin/users/?q={username}");
        var delivery = users.GetProperty("users")[0].GetProperty("email_delivery");
        return delivery.ValueKind == JsonValueKind.Object ? delivery.GetProperty("status").GetString() : null;
    }

    [Fact]
    public async Task Sign_ups_to_a_working_a_bouncing_and_a_deferring_address_end_delivered_bounced_and_bounced()
    {
        var token = await SignUpOverHttpTests.AdminTokenAsync();
        var id = Guid.NewGuid().ToString("N")[..10];
        var delivered = FrontDoor.NewSignup();
        var bounced = FrontDoor.NewSignup();
        bounced["email"] = $"e2e-{id}@bounce.test";
        var deferred = FrontDoor.NewSignup();
        deferred["email"] = $"e2e-{id}@defer.test";
        using var deliveredBrowser = Browser();
        using var bouncedBrowser = Browser();
        foreach (var (browser, form) in new[] { (deliveredBrowser, delivered), (bouncedBrowser, bounced), (Browser(), deferred) })
        {
            Assert.Equal(HttpStatusCode.Accepted, (await browser.PostAsJsonAsync("/api/auth/register/", form)).StatusCode);
        }

        // Delivered: confirmed from the mail server's log moments after it was accepted.
        var ok = await WaitForDeliveryAsync(token, delivered["email"]!, "delivered", TimeSpan.FromSeconds(30));
        Assert.NotEqual(JsonValueKind.Null, ok.GetProperty("final_at").ValueKind);

        // Bounced, with the mail server's 5.1.1 diagnostic; the address is now suppressed.
        var hard = await WaitForDeliveryAsync(token, bounced["email"]!, "bounced", TimeSpan.FromSeconds(30));
        Assert.Contains("5.1.1", hard.GetProperty("last_error").GetString());
        var detail = await AdminGetAsync(token, $"/notifier/api/admin/deliveries/{hard.GetProperty("id").GetGuid()}");
        Assert.Contains(detail.GetProperty("reports").EnumerateArray(), r => r.GetProperty("action").GetString() == "failed");
        var suppressions = await AdminGetAsync(token, "/notifier/api/admin/suppressions");
        Assert.Contains(suppressions.EnumerateArray(), s => s.GetProperty("address").GetString() == bounced["email"]);

        // Identity learned both, through the event that flows back...
        await Eventually.HoldsAsync(async () => await AddressStateAsync(token, bounced["username"]!) == "bounced", TimeSpan.FromSeconds(30), "Identity knows the bounce");
        var bouncedUser = await AdminGetAsync(token, $"/api/admin/users/?q={bounced["username"]}");
        Assert.Equal("hard", bouncedUser.GetProperty("users")[0].GetProperty("email_delivery").GetProperty("failure_class").GetString());
        await Eventually.HoldsAsync(async () => await AddressStateAsync(token, delivered["username"]!) == "delivered", TimeSpan.FromSeconds(30), "Identity knows the delivery");

        // ...and tells the browser that signed up, and only it, that the address could not be reached.
        await Eventually.HoldsAsync(async () => (await bouncedBrowser.GetFromJsonAsync<JsonElement>("/api/auth/email-status/")).GetProperty("state").GetString() == "unreachable",
            TimeSpan.FromSeconds(30), "the signing-up browser is told");
        var told = await bouncedBrowser.GetFromJsonAsync<JsonElement>("/api/auth/email-status/");
        Assert.Equal("5.1.1", told.GetProperty("detail").GetString());
        Assert.Equal("pending", (await deliveredBrowser.GetFromJsonAsync<JsonElement>("/api/auth/email-status/")).GetProperty("state").GetString());
        using var stranger = Browser();
        Assert.Equal("unknown", (await stranger.GetFromJsonAsync<JsonElement>("/api/auth/email-status/")).GetProperty("state").GetString());

        // Deferred while the mail server retries; bounced when it gives up (the stack's Postfix: ~60 s).
        await WaitForDeliveryAsync(token, deferred["email"]!, "deferred", TimeSpan.FromSeconds(30));
        var expired = await WaitForDeliveryAsync(token, deferred["email"]!, "bounced", TimeSpan.FromSeconds(150));
        Assert.Contains("4.4", expired.GetProperty("last_error").GetString());
    }

    [Fact]
    public async Task One_trace_runs_from_the_sign_up_request_through_the_outbox_and_the_broker_to_the_smtp_send()
    {
        var traceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var form = FrontDoor.NewSignup();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/register/") { Content = JsonContent.Create(form) };
        request.Headers.Add("traceparent", $"00-{traceId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}-01");

        using var response = await FrontDoor.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var mail = Assert.Single(await Mailbox.WaitForAsync(form["email"]!, TimeSpan.FromSeconds(30)));
        // The SMTP send's own span id differs; the trace id is the one the request came with.
        Assert.Matches($"^00-{traceId}-[0-9a-f]{{16}}-0[01]$", mail.Headers["X-SalesMind-Trace"]);
        var token = await SignUpOverHttpTests.AdminTokenAsync();
        var delivery = await AdminGetAsync(token, $"/notifier/api/admin/deliveries/{(await DeliveryAsync(token, form["email"]!))!.Value.GetProperty("id").GetGuid()}");
        Assert.Contains(traceId, delivery.GetProperty("trace_parent").GetString());
    }
}
