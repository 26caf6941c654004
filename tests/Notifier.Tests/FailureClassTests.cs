using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using SalesMind.TestSupport;
using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.Tests;

/// <summary>
/// Failure classes end to end against the stack's real Postfix: its outcome domains answer as
/// receivers do (mailserver/postfix/transport and recipient_access), the mail log brings the
/// verdict back, and the class decides whether the address is suppressed or the operator warned.
/// </summary>
[Collection(NotifierCollection.Name)]
public sealed class FailureClassTests(NotifierApp app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Postfix gives up on a deferred message after maximal_queue_lifetime (60 s on the stack) and a queue run.</summary>
    private static readonly TimeSpan ExpiryPatience = TimeSpan.FromSeconds(150);

    private HttpClient Admin() => app.AdminClient();

    private async Task<Guid> TestSendAsync(string to)
    {
        var response = await Admin().PostAsJsonAsync("/api/admin/templates/welcome/test-send", new { to, locale = "en" });
        return (await NotifierApp.JsonAsync(response, HttpStatusCode.Accepted)).GetProperty("delivery_id").GetGuid();
    }

    private async Task<JsonElement> DeliveryAsync(Guid id) =>
        await NotifierApp.JsonAsync(await Admin().GetAsync($"/api/admin/deliveries/{id}"), HttpStatusCode.OK);

    private async Task<JsonElement> WaitForAsync(Guid id, string status, string failureClass, TimeSpan? patience = null)
    {
        await Eventually.HoldsAsync(async () =>
        {
            var d = await DeliveryAsync(id);
            return d.GetProperty("status").GetString() == status && d.GetProperty("failure_class").GetString() == failureClass;
        }, patience ?? Patience, $"delivery {id} {status} ({failureClass})");
        return await DeliveryAsync(id);
    }

    private async Task<JsonElement?> SuppressionAsync(string address)
    {
        var list = await NotifierApp.JsonAsync(await Admin().GetAsync("/api/admin/suppressions"), HttpStatusCode.OK);
        return list.EnumerateArray().Where(s => s.GetProperty("address").GetString() == address).Select(s => (JsonElement?)s).FirstOrDefault();
    }

    private async Task<bool> CountedAsync(string metric, params string[] labels)
    {
        var scrape = await Admin().GetStringAsync("/metrics");
        var pattern = $"{metric}\\{{{string.Concat(labels.Select(l => $"(?=[^}}]*{Regex.Escape(l)})"))}[^}}]*\\}} [1-9]";
        return Regex.IsMatch(scrape, pattern, RegexOptions.Multiline);
    }

    [Theory]
    // Accepted, then bounced or deferred by the domain's transport; the mail log says so.
    [InlineData("nodomain.test", "bounced", "hard", true)]
    [InlineData("full.test", "bounced", "soft", false)]
    [InlineData("blocked.test", "bounced", "throttled", false)]
    [InlineData("dmarc.test", "bounced", "auth", false)]
    [InlineData("throttle.test", "deferred", "throttled", false)]
    [InlineData("fullsoft.test", "deferred", "soft", false)]
    // Refused at RCPT TO: the attempt carries the reply and the class.
    [InlineData("reject.test", "failed", "hard", true)]
    [InlineData("policy.test", "failed", "throttled", false)]
    public async Task Each_outcome_domain_ends_with_its_status_and_class_and_only_hard_ones_suppress(string domain, string status, string failureClass, bool suppresses)
    {
        var to = $"class-{Guid.NewGuid():N}@{domain}";
        var id = await TestSendAsync(to);

        var delivery = await WaitForAsync(id, status, failureClass);

        // The attempt or the report that said so carries the class too.
        if (status == "failed")
        {
            var attempt = delivery.GetProperty("attempt_log").EnumerateArray().Last();
            Assert.Equal(("failed", failureClass), (attempt.GetProperty("outcome").GetString(), attempt.GetProperty("failure_class").GetString()));
        }
        else
        {
            Assert.Contains(delivery.GetProperty("reports").EnumerateArray(), r => r.GetProperty("failure_class").GetString() == failureClass);
            // The hand-off itself was no failure.
            Assert.All(delivery.GetProperty("attempt_log").EnumerateArray(), a => Assert.Equal(JsonValueKind.Null, a.GetProperty("failure_class").ValueKind));
        }

        // The suppression is written in the same transaction as the status: no waiting needed.
        var suppression = await SuppressionAsync(to);
        Assert.Equal(suppresses, suppression is not null);
        if (suppression is { } s)
        {
            Assert.Equal(id, s.GetProperty("delivery_id").GetGuid());
            await NotifierApp.JsonAsync(await Admin().DeleteAsync($"/api/admin/suppressions/{Uri.EscapeDataString(to)}"), HttpStatusCode.NoContent);
        }

        // The list finds it by class, and the class's failure is counted.
        var page = await NotifierApp.JsonAsync(await Admin().GetAsync($"/api/admin/deliveries?recipient={Uri.EscapeDataString(to)}&failure_class={failureClass}"), HttpStatusCode.OK);
        Assert.Equal(failureClass, Assert.Single(page.GetProperty("items").EnumerateArray()).GetProperty("failure_class").GetString());
        var other = failureClass == "hard" ? "soft" : "hard";
        var none = await NotifierApp.JsonAsync(await Admin().GetAsync($"/api/admin/deliveries?recipient={Uri.EscapeDataString(to)}&failure_class={other}"), HttpStatusCode.OK);
        Assert.Empty(none.GetProperty("items").EnumerateArray());
        Assert.True(await CountedAsync("salesmind_delivery_failures_total", $"class=\"{failureClass}\"", $"status=\"{status}\""), "the failure counted by class and status");
    }

    [Theory]
    [InlineData("blocked.test", "throttled")]
    [InlineData("dmarc.test", "auth")]
    [InlineData("policy.test", "throttled")]
    public async Task A_policy_or_auth_failure_never_suppresses_the_user_and_raises_the_operators_metric(string domain, string failureClass)
    {
        var to = $"policy-{Guid.NewGuid():N}@{domain}";
        var id = await TestSendAsync(to);
        await WaitForAsync(id, domain == "policy.test" ? "failed" : "bounced", failureClass);

        Assert.Null(await SuppressionAsync(to));
        Assert.True(await CountedAsync("salesmind_delivery_policy_failures_total", $"class=\"{failureClass}\"", $"domain=\"{domain}\""),
            "the policy failure counted with its class and the recipient's domain");

        // The user still gets mail: the next email to the address is sent, not suppressed.
        var next = await TestSendAsync(to);
        Assert.NotEqual("suppressed", (await DeliveryAsync(next)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Three_soft_bounces_of_one_address_suppress_it_and_two_do_not()
    {
        var to = $"full-{Guid.NewGuid():N}@full.test";
        for (var i = 0; i < 2; i++)
        {
            await WaitForAsync(await TestSendAsync(to), "bounced", "soft");
        }

        Assert.Null(await SuppressionAsync(to));

        var third = await TestSendAsync(to);
        await WaitForAsync(third, "bounced", "soft");

        var suppression = await SuppressionAsync(to);
        Assert.NotNull(suppression);
        Assert.Equal(third, suppression.Value.GetProperty("delivery_id").GetGuid());
        Assert.Contains("3 soft bounces", suppression.Value.GetProperty("reason").GetString());
        var blocked = await DeliveryAsync(await TestSendAsync(to));
        Assert.Equal("suppressed", blocked.GetProperty("status").GetString());

        await NotifierApp.JsonAsync(await Admin().DeleteAsync($"/api/admin/suppressions/{Uri.EscapeDataString(to)}"), HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task A_receiver_repeating_soft_bounces_for_one_email_does_not_suppress_the_address()
    {
        // Deliveries are counted, not reports: a remote server (or a forger at the signed return
        // path) saying "mailbox full" three times about one email is still one soft bounce.
        var to = Stack.NewMailbox("softrepeat");
        var id = await TestSendAsync(to);
        await Eventually.HoldsAsync(async () => (await DeliveryAsync(id)).GetProperty("status").GetString() == "delivered", Patience, $"delivery {id} delivered");
        await using var scope = app.Services.CreateAsyncScope();
        var ledger = scope.ServiceProvider.GetRequiredService<DeliveryLedger>();

        foreach (var status in new[] { "5.2.2", "4.2.2", "5.2.0" })
        {
            await ledger.ApplyReportAsync(id, new FateReport(ReportSources.Dsn, ReportActions.Failed, status, $"552 {status} mailbox full", "mx.example.com"), CancellationToken.None);
        }

        var delivery = await DeliveryAsync(id);
        Assert.Equal(("bounced", "soft"), (delivery.GetProperty("status").GetString(), delivery.GetProperty("failure_class").GetString()));
        Assert.Null(await SuppressionAsync(to));
    }

    [Fact]
    public async Task A_bounce_with_a_policy_status_no_longer_suppresses_like_a_hard_one()
    {
        // Before classes, any 5.x.x bounce suppressed the address; a 5.7.1 block is the sender's problem.
        var to = Stack.NewMailbox("spamhaus");
        var id = await TestSendAsync(to);
        await Eventually.HoldsAsync(async () => (await DeliveryAsync(id)).GetProperty("status").GetString() == "delivered", Patience, $"delivery {id} delivered");
        await using var scope = app.Services.CreateAsyncScope();
        var ledger = scope.ServiceProvider.GetRequiredService<DeliveryLedger>();

        await ledger.ApplyReportAsync(id, new FateReport(ReportSources.Dsn, ReportActions.Failed, "5.7.1",
            "550 5.7.1 Service unavailable, Client host [192.0.2.1] blocked using Spamhaus", "mx.example.com"), CancellationToken.None);

        var delivery = await DeliveryAsync(id);
        Assert.Equal(("bounced", "throttled"), (delivery.GetProperty("status").GetString(), delivery.GetProperty("failure_class").GetString()));
        Assert.Equal("throttled", Assert.Single(delivery.GetProperty("reports").EnumerateArray(), r => r.GetProperty("source").GetString() == "dsn").GetProperty("failure_class").GetString());
        Assert.Null(await SuppressionAsync(to));
    }

    [Fact]
    public async Task A_throttled_message_that_expires_in_the_queue_stays_throttled_and_is_not_suppressed()
    {
        // Postal #1415: a receiver's 421 is not a hard bounce, not even when retries run out. The
        // expiry (4.4.7 in the log) says only that; the class of the deferrals before it stays.
        var to = $"expire-{Guid.NewGuid():N}@throttle.test";
        var id = await TestSendAsync(to);
        await WaitForAsync(id, "deferred", "throttled");

        var delivery = await WaitForAsync(id, "bounced", "throttled", ExpiryPatience);

        Assert.Contains(delivery.GetProperty("reports").EnumerateArray(), r => r.GetProperty("status").GetString() == "4.4.7" && r.GetProperty("failure_class").GetString() == "throttled");
        Assert.Null(await SuppressionAsync(to));
    }

    [Fact]
    public async Task An_unknown_failure_class_in_the_list_filter_is_a_problem_naming_the_field()
    {
        var bad = await NotifierApp.JsonAsync(await Admin().GetAsync("/api/admin/deliveries?failure_class=hard,bogus"), HttpStatusCode.BadRequest);

        var message = bad.GetProperty("errors").GetProperty("failure_class")[0].GetString();
        Assert.Contains("Unknown failure class 'bogus'", message);
        Assert.Contains("hard, soft, throttled, auth, unknown", message);
    }
}
