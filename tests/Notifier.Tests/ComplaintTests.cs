using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailKit.Net.Smtp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;
using SalesMind.TestSupport;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Tests;

/// <summary>
/// Complaints (feedback-loop reports) and RFC 6533 reports sent over SMTP to the Notifier's own
/// listener, about emails the stack's real mail server delivered: a provider's complaint marks
/// its delivery complained and suppresses the address; forged ones change nothing, are answered
/// alike and are listed as rejected.
/// </summary>
[Collection(NotifierCollection.Name)]
public sealed class ComplaintTests(NotifierApp app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly MailboxAddress Provider = MailboxAddress.Parse("feedback@arf.mail.yahoo.example");
    private static string Abuse => $"abuse@{NotifierApp.BounceDomain}";

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

    /// <summary>A delivered email and the copy its recipient received (with the Return-Path the mail server added).</summary>
    private async Task<(Guid Id, string Recipient, MimeMessage Received, string ReturnPath)> DeliveredAsync(string prefix)
    {
        var to = Stack.NewMailbox(prefix);
        var id = await TestSendAsync(to);
        await WaitForStatusAsync(id, "delivered");
        var received = Assert.Single(await Mailbox.WaitForAsync(to, Patience));
        return (id, to, received, received.Headers["Return-Path"]!.Trim('<', '>', ' '));
    }

    private async Task<List<JsonElement>> RejectedAsync(string query) =>
        (await NotifierApp.JsonAsync(await Admin().GetAsync($"/api/admin/reports/rejected?limit=200&{query}"), HttpStatusCode.OK))
        .GetProperty("items").EnumerateArray().ToList();

    private async Task<List<JsonElement>> SuppressionsAsync() =>
        (await NotifierApp.JsonAsync(await Admin().GetAsync("/api/admin/suppressions"), HttpStatusCode.OK)).EnumerateArray().ToList();

    /// <summary>Sends <paramref name="message"/> to the listener; its answer (the listener answers after recording it).</summary>
    private static async Task<string> SendAsync(MimeMessage message, params string[] recipients)
    {
        using var smtp = new SmtpClient();
        await smtp.ConnectAsync("127.0.0.1", NotifierApp.BouncePort, MailKit.Security.SecureSocketOptions.None);
        var reply = await smtp.SendAsync(message, Provider, recipients.Select(MailboxAddress.Parse));
        await smtp.DisconnectAsync(true);
        return reply;
    }

    private static MimeMessage Copy(MimeMessage message) => ArfMessages.RoundTrip(message);

    [Fact]
    public async Task A_providers_complaint_marks_the_delivery_complained_suppresses_the_address_and_a_second_copy_changes_nothing()
    {
        var email = await DeliveredAsync("complaint");
        var complaint = () => ArfMessages.Complaint(email.Received, Abuse, originalMailFrom: email.ReturnPath, originalRcptTo: email.Recipient);

        var first = await SendAsync(complaint(), Abuse);

        var delivery = await WaitForStatusAsync(email.Id, "complained");
        var report = Assert.Single(delivery.GetProperty("reports").EnumerateArray(), r => r.GetProperty("source").GetString() == "arf");
        Assert.Equal("complained", report.GetProperty("action").GetString());
        Assert.Contains("Yahoo!-Mail-Feedback/2.0", report.GetProperty("diagnostic").GetString());
        Assert.Contains("spam", delivery.GetProperty("last_error").GetString());
        var suppression = Assert.Single(await SuppressionsAsync(), s => s.GetProperty("address").GetString() == email.Recipient);
        Assert.Equal(email.Id, suppression.GetProperty("delivery_id").GetGuid());
        Assert.StartsWith("complaint", suppression.GetProperty("reason").GetString());
        Assert.True(suppression.GetProperty("expires_at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddDays(3000), "suppressed for years");

        // The provider sends it again: the same answer, nothing new, nothing rejected.
        var second = await SendAsync(complaint(), Abuse);
        Assert.Equal(first, second);
        var after = await DeliveryAsync(email.Id);
        Assert.Equal("complained", after.GetProperty("status").GetString());
        Assert.Single(after.GetProperty("reports").EnumerateArray(), r => r.GetProperty("source").GetString() == "arf");
        Assert.Empty(await RejectedAsync($"delivery={email.Id}"));

        // Nothing more is sent to the address, and the held-back delivery says why.
        var blocked = await DeliveryAsync(await TestSendAsync(email.Recipient));
        Assert.Equal("suppressed", blocked.GetProperty("status").GetString());
        Assert.Contains("after a complaint", blocked.GetProperty("last_error").GetString());

        var metrics = await Admin().GetStringAsync("/metrics");
        Assert.Matches("salesmind_delivery_complaints_total\\{[^}]*feedback_type=\"abuse\"[^}]*\\} [1-9]", metrics);
        Assert.Matches("salesmind_delivery_status_changes_total\\{[^}]*status=\"complained\"[^}]*\\} [1-9]", metrics);
        // A complained delivery is not sent again by an admin: its reader did not want it.
        var retry = await Admin().PostAsync($"/api/admin/deliveries/{email.Id}/retry", null);
        Assert.Equal(HttpStatusCode.Conflict, retry.StatusCode);
    }

    [Fact]
    public async Task A_complaint_sent_to_the_signed_return_path_with_only_the_originals_headers_counts()
    {
        var email = await DeliveredAsync("complaint-path");
        // Some providers attach only the original's header block, as text/rfc822-headers.
        var raw = new MemoryStream();
        email.Received.Headers.WriteTo(raw);
        raw.Position = 0;
        var headers = new MimePart("text", "rfc822-headers") { Content = new MimeContent(raw) };
        var complaint = ArfMessages.Complaint(email.Received, email.ReturnPath);
        var report = (MultipartReport)complaint.Body!;
        report.RemoveAt(2);
        report.Add(headers);

        await SendAsync(complaint, email.ReturnPath);

        await WaitForStatusAsync(email.Id, "complained");
        Assert.Contains(await SuppressionsAsync(), s => s.GetProperty("address").GetString() == email.Recipient);
    }

    [Fact]
    public async Task Forged_complaints_change_nothing_answer_alike_and_are_listed_as_rejected()
    {
        var victim = await DeliveredAsync("complaint-victim");
        var attacker = await DeliveredAsync("complaint-attacker");
        var domain = app.Services.GetRequiredService<IOptions<MailOptions>>().Value.MessageIdDomain;

        // Each forged complaint names the victim's address first, so all five are found below.
        MimeMessage Posing(Action<MimeMessage> change)
        {
            var copy = Copy(attacker.Received);
            copy.To.Clear();
            copy.To.Add(MailboxAddress.Parse(victim.Recipient));
            change(copy);
            return copy;
        }

        var forgedPath = $"bounces+{victim.Id:N}.aaaaaaaaaaaaaaaa@{NotifierApp.BounceDomain}";
        var unknown = Guid.CreateVersion7();
        (MimeMessage Complaint, string To, string Reason)[] forged =
        [
            // The attacker's own email, claiming the victim as its recipient.
            (ArfMessages.Complaint(attacker.Received, Abuse, attacker.ReturnPath, originalRcptTo: victim.Recipient), Abuse, "recipient_mismatch"),
            // The attacker's own signed return path around the victim's Message-ID.
            (ArfMessages.Complaint(Posing(m => m.MessageId = victim.Received.MessageId!), Abuse, attacker.ReturnPath), Abuse, "reference_mismatch"),
            // The victim's delivery id under a made-up signature.
            (ArfMessages.Complaint(Posing(m => m.Headers.Replace("Return-Path", $"<{forgedPath}>")), Abuse, forgedPath), Abuse, "bad_signature"),
            // A Message-ID of our form that names no delivery.
            (ArfMessages.Complaint(Posing(m =>
            {
                m.Headers.Remove("Return-Path");
                m.Headers.Remove("X-SalesMind-Delivery");
                m.MessageId = $"{unknown:N}@{domain}";
            }), Abuse), Abuse, "unknown_delivery"),
            // The victim's genuine email, but sent to the plain bounce address.
            (ArfMessages.Complaint(victim.Received, $"bounces@{NotifierApp.BounceDomain}", victim.ReturnPath, victim.Recipient), $"bounces@{NotifierApp.BounceDomain}", "unsigned"),
        ];

        var replies = new List<string>();
        foreach (var (complaint, to, _) in forged)
        {
            replies.Add(await SendAsync(complaint, to));
        }

        // The same answer to every one of them: nothing tells the attacker whether a delivery exists.
        Assert.Single(replies.Distinct());
        var rejected = (await RejectedAsync("")).Where(r => r.GetProperty("final_recipient").GetString() == victim.Recipient).ToList();
        Assert.Equal(forged.Select(f => f.Reason).Order(), rejected.Select(r => r.GetProperty("reason").GetString()).Order());
        Assert.All(rejected, r => Assert.Equal("abuse", r.GetProperty("action").GetString()));
        Assert.Contains(rejected, r => r.GetProperty("reason").GetString() == "unknown_delivery" && r.GetProperty("delivery_id").GetGuid() == unknown);
        Assert.Contains(await RejectedAsync($"delivery={attacker.Id}"), r => r.GetProperty("reason").GetString() == "recipient_mismatch");
        var metrics = await Admin().GetStringAsync("/metrics");
        Assert.Matches("salesmind_delivery_reports_rejected_total\\{[^}]*kind=\"arf\"[^}]*\\} [1-9]", metrics);

        // Neither email changed, neither address is suppressed.
        foreach (var (id, recipient) in new[] { (victim.Id, victim.Recipient), (attacker.Id, attacker.Recipient) })
        {
            var delivery = await DeliveryAsync(id);
            Assert.Equal("delivered", delivery.GetProperty("status").GetString());
            Assert.DoesNotContain(delivery.GetProperty("reports").EnumerateArray(), r => r.GetProperty("source").GetString() == "arf");
            Assert.DoesNotContain(await SuppressionsAsync(), s => string.Equals(s.GetProperty("address").GetString(), recipient, StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public async Task A_not_spam_report_about_a_delivery_is_rejected_not_applied()
    {
        var email = await DeliveredAsync("not-spam");

        await SendAsync(ArfMessages.Complaint(email.Received, Abuse, email.ReturnPath, email.Recipient, feedbackType: "not-spam"), Abuse);

        var rejected = Assert.Single(await RejectedAsync($"delivery={email.Id}"));
        Assert.Equal(("not_a_complaint", "not-spam"), (rejected.GetProperty("reason").GetString(), rejected.GetProperty("action").GetString()));
        Assert.Equal("delivered", (await DeliveryAsync(email.Id)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_RFC_6533_global_delivery_report_sent_to_the_signed_return_path_bounces_the_delivery()
    {
        var email = await DeliveredAsync("global-dsn");
        var report = ArfMessages.GlobalDsn(email.Id.ToString(), "failed", "5.1.1", "550 5.1.1 用户不存在 (mailbox gone)", email.ReturnPath, email.Recipient);

        await SendAsync(report, email.ReturnPath);

        var delivery = await WaitForStatusAsync(email.Id, "bounced");
        Assert.Equal("550 5.1.1 用户不存在 (mailbox gone)", delivery.GetProperty("last_error").GetString());
        Assert.Contains(delivery.GetProperty("reports").EnumerateArray(), r =>
            r.GetProperty("source").GetString() == "dsn" && r.GetProperty("remote_mta").GetString() == "mx.例子.广告");
        Assert.Contains(await SuppressionsAsync(), s => s.GetProperty("address").GetString() == email.Recipient && s.GetProperty("delivery_id").GetGuid() == email.Id);
    }
}
