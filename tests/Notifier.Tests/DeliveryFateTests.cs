using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailKit.Net.Smtp;
using MimeKit;
using Microsoft.Extensions.DependencyInjection;
using SalesMind.TestSupport;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Outcomes;

namespace SalesMind.Notifier.Tests;

/// <summary>Reports and the mail log against the real mail server, through the Notifier's own listener.</summary>
[Collection(NotifierCollection.Name)]
public sealed class DeliveryFateTests(NotifierApp app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private HttpClient Admin() => app.AdminClient();

    private async Task<Guid> TestSendAsync(string to)
    {
        var response = await Admin().PostAsJsonAsync("/api/admin/templates/welcome/test-send", new { to, locale = "en" });
        return (await NotifierApp.JsonAsync(response, HttpStatusCode.Accepted)).GetProperty("delivery_id").GetGuid();
    }

    private async Task<JsonElement> DeliveryAsync(Guid id) =>
        await NotifierApp.JsonAsync(await Admin().GetAsync($"/api/admin/deliveries/{id}"), HttpStatusCode.OK);

    private async Task<JsonElement> WaitForStatusAsync(Guid id, string status)
    {
        await Eventually.HoldsAsync(async () => (await DeliveryAsync(id)).GetProperty("status").GetString() == status, Patience, $"delivery {id} {status}");
        return await DeliveryAsync(id);
    }

    [Fact]
    public async Task Mail_to_the_test_domain_ends_delivered_from_the_mail_log()
    {
        var id = await TestSendAsync(Stack.NewMailbox("fate"));

        var delivery = await WaitForStatusAsync(id, "delivered");

        var report = Assert.Single(delivery.GetProperty("reports").EnumerateArray());
        Assert.Equal(("log", "delivered", "2.0.0"), (report.GetProperty("source").GetString(), report.GetProperty("action").GetString(), report.GetProperty("status").GetString()));
        Assert.NotEqual(JsonValueKind.Null, delivery.GetProperty("final_at").ValueKind);
    }

    [Fact]
    public async Task A_report_sent_to_the_listener_bounces_the_delivery_suppresses_the_address_and_publishes_the_change()
    {
        var to = Stack.NewMailbox("listener");
        var id = await TestSendAsync(to);
        await WaitForStatusAsync(id, "delivered");
        var queueId = (await DeliveryAsync(id)).GetProperty("queue_id").GetString()!;
        // The signed return path, as the receiving side sees it.
        var returnPath = Assert.Single(Mailbox.For(to)).Headers["Return-Path"]!.Trim('<', '>', ' ');
        Assert.Matches($"^bounces\\+{id:N}\\.[a-z2-7]{{16}}@{NotifierApp.BounceDomain}$", returnPath);

        // A remote server's later bounce, addressed to the delivery's own return path.
        using (var smtp = new SmtpClient())
        {
            await smtp.ConnectAsync("127.0.0.1", NotifierApp.BouncePort, MailKit.Security.SecureSocketOptions.None);
            var report = DsnMessages.Report(id.ToString(), queueId, "failed", "5.1.1", "550 5.1.1 mailbox gone", returnPath, finalRecipient: to);
            await smtp.SendAsync(report, MailboxAddress.Parse("MAILER-DAEMON@mx.example.com"), [MailboxAddress.Parse(returnPath)]);
            await smtp.DisconnectAsync(true);
        }

        var delivery = await WaitForStatusAsync(id, "bounced");
        Assert.Equal("550 5.1.1 mailbox gone", delivery.GetProperty("last_error").GetString());
        Assert.Contains(delivery.GetProperty("reports").EnumerateArray(), r => r.GetProperty("source").GetString() == "dsn" && r.GetProperty("remote_mta").GetString() == "mx.example.com");

        var suppressions = await NotifierApp.JsonAsync(await Admin().GetAsync("/api/admin/suppressions"), HttpStatusCode.OK);
        Assert.Contains(suppressions.EnumerateArray(), s => s.GetProperty("address").GetString() == to && s.GetProperty("delivery_id").GetGuid() == id);

        // While suppressed, nothing is sent to the address; lifted, it gets email again.
        var blocked = await TestSendAsync(to);
        var suppressed = await DeliveryAsync(blocked);
        Assert.Equal("suppressed", suppressed.GetProperty("status").GetString());
        Assert.Contains("suppressed until", suppressed.GetProperty("last_error").GetString());
        await NotifierApp.JsonAsync(await Admin().DeleteAsync($"/api/admin/suppressions/{Uri.EscapeDataString(to)}"), HttpStatusCode.NoContent);
        await WaitForStatusAsync(await TestSendAsync(to), "delivered");
    }

    [Fact]
    public async Task The_same_report_twice_changes_nothing_the_second_time()
    {
        var id = await TestSendAsync(Stack.NewMailbox("twice"));
        await WaitForStatusAsync(id, "delivered");
        await using var scope = app.Services.CreateAsyncScope();
        var fates = scope.ServiceProvider.GetRequiredService<DeliveryLedger>();
        var report = new FateReport("dsn", "failed", "5.2.2", "552 mailbox full", null);

        Assert.Equal(FateOutcome.Changed, await fates.ApplyReportAsync(id, report, CancellationToken.None));
        Assert.Equal(FateOutcome.Unchanged, await fates.ApplyReportAsync(id, report, CancellationToken.None));
        Assert.Equal(FateOutcome.Unknown, await fates.ApplyReportAsync(Guid.NewGuid(), report, CancellationToken.None));
        Assert.Equal(2, (await DeliveryAsync(id)).GetProperty("reports").GetArrayLength());
    }

    [Fact]
    public async Task Mail_for_the_bounce_test_domain_ends_bounced_with_its_diagnostic()
    {
        var id = await TestSendAsync($"gone-{Guid.NewGuid():N}@bounce.test");

        var delivery = await WaitForStatusAsync(id, "bounced");

        Assert.Equal("5.1.1 simulated hard bounce", delivery.GetProperty("last_error").GetString());
    }

    [Fact]
    public async Task An_admin_retries_a_failed_delivery_and_lists_deliveries_by_status_in_pages()
    {
        var client = Admin();
        var to = $"refused-{Guid.NewGuid():N}@reject.test";
        var id = await TestSendAsync(to);
        await WaitForStatusAsync(id, "failed");
        // 550 5.1.1 at RCPT TO is a hard failure: the address is suppressed, and a retry waits for the lift.
        var refused = await NotifierApp.JsonAsync(await client.PostAsync($"/api/admin/deliveries/{id}/retry", null), HttpStatusCode.Conflict);
        Assert.Equal("Address suppressed", refused.GetProperty("title").GetString());
        await NotifierApp.JsonAsync(await client.DeleteAsync($"/api/admin/suppressions/{Uri.EscapeDataString(to)}"), HttpStatusCode.NoContent);

        var retried = await NotifierApp.JsonAsync(await client.PostAsync($"/api/admin/deliveries/{id}/retry", null), HttpStatusCode.OK);
        Assert.Equal("queued", retried.GetProperty("status").GetString());
        var again = await WaitForStatusAsync(id, "failed");
        Assert.Equal(2, again.GetProperty("attempt_log").GetArrayLength());
        await NotifierApp.JsonAsync(await client.PostAsync($"/api/admin/deliveries/{Guid.NewGuid()}/retry", null), HttpStatusCode.NotFound);

        var page = await NotifierApp.JsonAsync(await client.GetAsync($"/api/admin/deliveries?recipient={to}&status=failed"), HttpStatusCode.OK);
        Assert.Equal(id, Assert.Single(page.GetProperty("items").EnumerateArray()).GetProperty("id").GetGuid());
        var first = await NotifierApp.JsonAsync(await client.GetAsync("/api/admin/deliveries?limit=2"), HttpStatusCode.OK);
        var next = first.GetProperty("next").GetGuid();
        var second = await NotifierApp.JsonAsync(await client.GetAsync($"/api/admin/deliveries?limit=2&after={next}"), HttpStatusCode.OK);
        var firstIds = first.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetGuid()).ToList();
        var secondIds = second.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetGuid()).ToList();
        Assert.Equal(2, secondIds.Count);
        Assert.Empty(firstIds.Intersect(secondIds));
        Assert.True(first.GetProperty("items")[1].GetProperty("created_at").GetDateTimeOffset() >= second.GetProperty("items")[0].GetProperty("created_at").GetDateTimeOffset());
        var bad = await NotifierApp.JsonAsync(await client.GetAsync("/api/admin/deliveries?status=lost"), HttpStatusCode.BadRequest);
        Assert.Contains("Unknown status 'lost'", bad.GetProperty("errors").GetProperty("status")[0].GetString());

        // Bodies only when asked for: they carry links that act on accounts.
        var plain = await DeliveryAsync(id);
        Assert.Equal(JsonValueKind.Null, plain.GetProperty("html_body").ValueKind);
        var full = await NotifierApp.JsonAsync(await client.GetAsync($"/api/admin/deliveries/{id}?include=body"), HttpStatusCode.OK);
        Assert.Contains("Welcome", full.GetProperty("text_body").GetString());
    }

    [Fact]
    public async Task The_dashboard_counts_statuses_and_lists_failures_and_queues()
    {
        var id = await TestSendAsync($"gone-{Guid.NewGuid():N}@bounce.test");
        await WaitForStatusAsync(id, "bounced");

        var dashboard = await NotifierApp.JsonAsync(await Admin().GetAsync("/api/admin/dashboard"), HttpStatusCode.OK);

        Assert.Contains(dashboard.GetProperty("statuses").EnumerateArray(), s => s.GetProperty("status").GetString() == "bounced" && s.GetProperty("last_hour").GetInt64() >= 1);
        Assert.Contains(dashboard.GetProperty("latest_failures").EnumerateArray(), f => f.GetProperty("id").GetGuid() == id);
        Assert.True(dashboard.GetProperty("accepted").GetProperty("count").GetInt64() >= 1);
        Assert.Contains(dashboard.GetProperty("queues").EnumerateArray(), q => q.GetProperty("name").GetString() == "user-registered");
        Assert.NotEmpty(dashboard.GetProperty("last_hour_by_minute").EnumerateArray());
    }
}
