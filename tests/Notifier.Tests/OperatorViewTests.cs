using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SalesMind.TestSupport;

namespace SalesMind.Notifier.Tests;

/// <summary>What the dashboard and the delivery list tell an operator, and the paths their messages name.</summary>
[Collection(NotifierCollection.Name)]
public sealed class OperatorViewTests(NotifierApp app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private HttpClient Admin() => app.AdminClient();

    private async Task<Guid> TestSendAsync(string to)
    {
        var response = await Admin().PostAsJsonAsync("/api/admin/templates/welcome/test-send", new { to, locale = "en" });
        return (await NotifierApp.JsonAsync(response, HttpStatusCode.Accepted)).GetProperty("delivery_id").GetGuid();
    }

    private async Task WaitForStatusAsync(Guid id, string status) =>
        await Eventually.HoldsAsync(async () =>
            (await NotifierApp.JsonAsync(await Admin().GetAsync($"/api/admin/deliveries/{id}"), HttpStatusCode.OK)).GetProperty("status").GetString() == status,
            Patience, $"delivery {id} {status}");

    private async Task<JsonElement> DashboardAsync(string query = "") =>
        await NotifierApp.JsonAsync(await Admin().GetAsync($"/api/admin/dashboard{query}"), HttpStatusCode.OK);

    private async Task<List<(Guid Id, string Recipient)>> SearchAsync(string recipient) =>
        (await NotifierApp.JsonAsync(await Admin().GetAsync($"/api/admin/deliveries?limit=200&recipient={Uri.EscapeDataString(recipient)}"), HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray().Select(d => (d.GetProperty("id").GetGuid(), d.GetProperty("recipient").GetString()!)).ToList();

    [Fact]
    public async Task The_dashboard_says_which_queues_expect_a_consumer()
    {
        var queues = (await DashboardAsync()).GetProperty("queues").EnumerateArray().ToList();

        Assert.Contains(queues, q => q.GetProperty("name").GetString() == "user-registered" && q.GetProperty("expects_consumer").GetBoolean());
        Assert.All(queues.Where(q => q.GetProperty("name").GetString()!.EndsWith("_error", StringComparison.Ordinal)),
            q => Assert.False(q.GetProperty("expects_consumer").GetBoolean()));
    }

    [Fact]
    public async Task Latencies_name_their_window_and_can_leave_test_sends_out()
    {
        var id = await TestSendAsync(Stack.NewMailbox("latency"));
        await WaitForStatusAsync(id, "delivered");

        var all = await DashboardAsync();
        Assert.Equal(60, all.GetProperty("latency_window").GetProperty("minutes").GetInt32());
        Assert.False(all.GetProperty("latency_window").GetProperty("excludes_test_sends").GetBoolean());

        // Every delivery in this service's database but the events of other tests is a test send:
        // left out, the test send just accepted is not counted.
        await Eventually.HoldsAsync(async () =>
        {
            var events = await DashboardAsync("?exclude_test_sends=true");
            var everything = await DashboardAsync();
            return events.GetProperty("latency_window").GetProperty("excludes_test_sends").GetBoolean()
                && everything.GetProperty("accepted").GetProperty("count").GetInt64() > events.GetProperty("accepted").GetProperty("count").GetInt64()
                && everything.GetProperty("delivered").GetProperty("count").GetInt64() > events.GetProperty("delivered").GetProperty("count").GetInt64();
        }, Patience, "the latencies without test sends count fewer deliveries");
    }

    [Fact]
    public async Task The_suppressed_count_is_the_suppression_lists_and_held_back_deliveries_are_counted_apart()
    {
        var to = $"gone-{Guid.NewGuid():N}@bounce.test";
        await WaitForStatusAsync(await TestSendAsync(to), "bounced");
        await WaitForStatusAsync(await TestSendAsync(to), "suppressed");
        try
        {
            // Other tests bounce and lift meanwhile: the two numbers agree in one moment.
            await Eventually.HoldsAsync(async () =>
            {
                var list = (await NotifierApp.JsonAsync(await Admin().GetAsync("/api/admin/suppressions"), HttpStatusCode.OK)).GetArrayLength();
                var board = await DashboardAsync();
                var suppressed = board.GetProperty("suppressed");
                var heldBack = board.GetProperty("statuses").EnumerateArray().Single(s => s.GetProperty("status").GetString() == "suppressed").GetProperty("last_hour").GetInt64();
                return suppressed.GetProperty("addresses").GetInt64() == list
                    && suppressed.GetProperty("deliveries_last_hour").GetInt64() == heldBack && heldBack >= 1;
            }, Patience, "the dashboard's suppressed addresses are the list's, its held-back deliveries the suppressed status's");
        }
        finally
        {
            await Admin().DeleteAsync($"/api/admin/suppressions/{Uri.EscapeDataString(to)}");
        }
    }

    [Fact]
    public async Task Deliveries_are_found_by_domain_and_by_prefix_with_wildcards_taken_literally()
    {
        // Test sends go only to the stack's test domains, which other tests share: a unique local part tells ours apart.
        var tag = Guid.NewGuid().ToString("N")[..12];
        var alice = await TestSendAsync($"Alice_{tag}@discard.test");
        var bob = await TestSendAsync($"bob-{tag}@discard.test");
        var elsewhere = await TestSendAsync($"alice_{tag}@mail.test");
        var underscoreLookalike = await TestSendAsync($"alicex{tag}@discard.test");

        var atDomain = await SearchAsync("@DISCARD.test");
        Assert.All(atDomain, d => Assert.EndsWith("@discard.test", d.Recipient, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(new[] { underscoreLookalike, bob, alice }, atDomain.Select(d => d.Id).Where(new[] { alice, bob, elsewhere, underscoreLookalike }.Contains));
        Assert.Equal(new[] { elsewhere, alice }, (await SearchAsync($"ALICE_{tag}*")).Select(d => d.Id));
        Assert.Equal(new[] { underscoreLookalike }, (await SearchAsync($"alicex{tag}*")).Select(d => d.Id));
        Assert.Equal(new[] { alice }, (await SearchAsync($"alice_{tag}@discard.test")).Select(d => d.Id));
        Assert.Empty(await SearchAsync($"alice%{tag}*"));
        // A domain is matched whole: not a part of it.
        Assert.Empty(await SearchAsync("@discard"));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("ali*ce")]
    [InlineData("@")]
    public async Task A_malformed_recipient_search_is_a_problem_naming_the_field(string recipient)
    {
        var problem = await NotifierApp.JsonAsync(await Admin().GetAsync($"/api/admin/deliveries?recipient={Uri.EscapeDataString(recipient)}"), HttpStatusCode.BadRequest);

        Assert.Contains("@example.com", Assert.Single(problem.GetProperty("errors").GetProperty("recipient").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task A_retry_refused_for_a_suppressed_address_names_the_lift_as_the_caller_reaches_it()
    {
        var to = $"gone-{Guid.NewGuid():N}@bounce.test";
        var id = await TestSendAsync(to);
        await WaitForStatusAsync(id, "bounced");
        try
        {
            var direct = await NotifierApp.JsonAsync(await Admin().PostAsync($"/api/admin/deliveries/{id}/retry", null), HttpStatusCode.Conflict);
            Assert.Contains($"DELETE /api/admin/suppressions/{Uri.EscapeDataString(to)}", direct.GetProperty("detail").GetString());

            // nginx mounts the service at /notifier and says so from loopback: the path names the mount.
            var proxied = await RetryFromAsync(id, IPAddress.Loopback, "/notifier");
            Assert.Contains($"DELETE /notifier/api/admin/suppressions/{Uri.EscapeDataString(to)}", proxied);

            // Anyone else's prefix is not believed.
            var spoofed = await RetryFromAsync(id, IPAddress.Parse("203.0.113.9"), "/elsewhere");
            Assert.Contains($"DELETE /api/admin/suppressions/{Uri.EscapeDataString(to)}", spoofed);
        }
        finally
        {
            await Admin().DeleteAsync($"/api/admin/suppressions/{Uri.EscapeDataString(to)}");
        }
    }

    /// <summary>The retry's problem detail, asked from <paramref name="peer"/> with X-Forwarded-Prefix.</summary>
    private async Task<string> RetryFromAsync(Guid id, IPAddress peer, string prefix)
    {
        var token = Admin().DefaultRequestHeaders.Authorization!.ToString();
        var context = await app.Server.SendAsync(c =>
        {
            c.Request.Method = HttpMethods.Post;
            c.Request.Path = $"/api/admin/deliveries/{id}/retry";
            c.Request.Headers.Authorization = token;
            c.Request.Headers["X-Forwarded-Prefix"] = prefix;
            c.Request.Headers["X-Forwarded-For"] = "198.51.100.7";
            c.Connection.RemoteIpAddress = peer;
        });
        Assert.Equal(StatusCodes.Status409Conflict, context.Response.StatusCode);
        using var document = await JsonDocument.ParseAsync(context.Response.Body);
        return document.RootElement.GetProperty("detail").GetString()!;
    }
}
