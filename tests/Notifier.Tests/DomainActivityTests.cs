using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using SalesMind.TestSupport;

namespace SalesMind.Notifier.Tests;

/// <summary>
/// The dashboard per recipient domain (GET /api/admin/dashboard/domains), from real deliveries
/// through the stack's Postfix: the outcome domains (mail.test delivers, bounce.test bounces,
/// defer.test defers) and subdomains of the refusing ones that only this test sends to, so their
/// counts are exact. The shared domains get mail from other tests too: their counts are at least
/// this test's.
/// </summary>
[Collection(NotifierCollection.Name)]
public sealed class DomainActivityTests(NotifierApp app)
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

    private async Task<JsonElement> DomainsAsync(string query = "?window=1h&limit=500") =>
        await NotifierApp.JsonAsync(await Admin().GetAsync($"/api/admin/dashboard/domains{query}"), HttpStatusCode.OK);

    private static JsonElement Row(JsonElement view, string domain) =>
        Assert.Single(view.GetProperty("items").EnumerateArray(), item => item.GetProperty("domain").GetString() == domain);

    private static long Count(JsonElement row, string name) => row.GetProperty(name).GetInt64();

    [Fact]
    public async Task Each_recipient_domain_shows_its_counts_and_newest_failure_with_the_domains_in_trouble_first()
    {
        var own = $"d{Guid.NewGuid():N}"[..13];
        // Subdomains of the outcome domains refused at submission (recipient_access matches
        // subdomains): nobody else sends there.
        var refused = $"{own}.reject.test";
        var later = $"{own}.tempfail.test";
        var delivered = new[] { await TestSendAsync(Stack.NewMailbox("domains")), await TestSendAsync(Stack.NewMailbox("domains")) };
        var bounced = await TestSendAsync($"gone-{own}@bounce.test");
        var deferred = await TestSendAsync($"slow-{own}@defer.test");
        var failed = new[] { await TestSendAsync($"a@{refused}"), await TestSendAsync($"b@{refused}") };

        foreach (var id in delivered)
        {
            await WaitForStatusAsync(id, "delivered");
        }

        await WaitForStatusAsync(bounced, "bounced");
        await WaitForStatusAsync(deferred, "deferred");
        await WaitForStatusAsync(failed[0], "failed");
        await WaitForStatusAsync(failed[1], "failed");
        // Last, so its next attempt (30 s later, when it is briefly "sending") is well after the look below.
        var tempfailed = await TestSendAsync($"c@{later}");
        await WaitForStatusAsync(tempfailed, "deferred");
        // A receiver's throttling, as the failure classifier records it: the last refusal becomes one.
        // (Final, so no later attempt rewrites it.)
        await app.Database.ExecuteAsync("UPDATE deliveries SET failure_class = 'throttled', updated_at = now() WHERE id = $1", failed[1]);

        var view = await DomainsAsync();

        Assert.Equal("1h", view.GetProperty("window").GetString());
        var items = view.GetProperty("items").EnumerateArray().ToList();
        Assert.True(view.GetProperty("domains").GetInt64() >= items.Count);

        var mail = Row(view, "mail.test");
        Assert.True(Count(mail, "delivered") >= 2 && Count(mail, "sent") >= 2, mail.ToString());

        var bounce = Row(view, "bounce.test");
        Assert.True(Count(bounce, "bounced") >= 1, bounce.ToString());
        Assert.Contains("simulated hard bounce", bounce.GetProperty("newest_failure").GetProperty("reason").GetString());
        Assert.Equal("bounced", bounce.GetProperty("newest_failure").GetProperty("status").GetString());

        var defer = Row(view, "defer.test");
        Assert.True(Count(defer, "deferred") >= 1, defer.ToString());
        Assert.Contains("simulated deferral", defer.GetProperty("newest_failure").GetProperty("reason").GetString());

        // This test's own domains: exact.
        var refusing = Row(view, refused);
        Assert.Equal((2L, 0L, 2L, 1L, 0L, 0L), (Count(refusing, "total"), Count(refusing, "sent"), Count(refusing, "failed"), Count(refusing, "throttled"),
            Count(refusing, "bounced"), Count(refusing, "deferred")));
        Assert.Equal(1, Count(refusing, "trouble"));
        var newest = refusing.GetProperty("newest_failure");
        Assert.Equal(("throttled", "failed"), (newest.GetProperty("class").GetString(), newest.GetProperty("status").GetString()));
        Assert.Contains("simulated permanent refusal", newest.GetProperty("reason").GetString());

        var tempfail = Row(view, later);
        Assert.Equal((1L, 1L, 0L), (Count(tempfail, "total"), Count(tempfail, "deferred"), Count(tempfail, "throttled")));
        Assert.Contains("simulated temporary refusal", tempfail.GetProperty("newest_failure").GetProperty("reason").GetString());

        // Trouble (throttled + bounced + deferred) first, then volume, then the name.
        for (var i = 1; i < items.Count; i++)
        {
            var (before, after) = (items[i - 1], items[i]);
            var order = Count(before, "trouble").CompareTo(Count(after, "trouble")) switch
            {
                0 => Count(before, "total").CompareTo(Count(after, "total")) switch
                {
                    0 => -string.CompareOrdinal(before.GetProperty("domain").GetString(), after.GetProperty("domain").GetString()),
                    var c => c,
                },
                var c => c,
            };
            Assert.True(order > 0, $"{before.GetProperty("domain")} is listed before {after.GetProperty("domain")}");
        }

        // The limit cuts the list after the ordering: the first one stays first.
        var top = await DomainsAsync("?limit=1");
        Assert.Equal(items[0].GetProperty("domain").GetString(), Assert.Single(top.GetProperty("items").EnumerateArray()).GetProperty("domain").GetString());
        Assert.Equal(view.GetProperty("domains").GetInt64(), top.GetProperty("domains").GetInt64());

        // Another window: the row changed a moment ago is in the last minute too.
        var minute = await DomainsAsync("?window=1m");
        Assert.Equal("1m", minute.GetProperty("window").GetString());
        Assert.Contains(minute.GetProperty("items").EnumerateArray(), item => item.GetProperty("domain").GetString() == refused);
    }

    [Theory]
    [InlineData("window=2w", "window")]
    [InlineData("window=0m", "window")]
    [InlineData("window=8d", "window")]
    [InlineData("window=1h30m", "window")]
    [InlineData("window=-1h", "window")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    public async Task A_bad_window_or_limit_is_a_problem_naming_the_field(string query, string field)
    {
        var problem = await NotifierApp.JsonAsync(await Admin().GetAsync($"/api/admin/dashboard/domains?{query}"), HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        Assert.Single(errors.EnumerateObject());
        Assert.NotEmpty(errors.GetProperty(field)[0].GetString()!);
    }

    [Fact]
    public async Task Only_an_admin_sees_the_domains()
    {
        var anonymous = app.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/admin/dashboard/domains")).StatusCode);

        var user = app.CreateClient();
        user.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminEndpoints.Token(app.Services, "user"));
        Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("/api/admin/dashboard/domains")).StatusCode);
    }
}
