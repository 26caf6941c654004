using System.Net.Http.Headers;
using System.Text.Json;
using MailKit.Net.Smtp;
using MimeKit;
using SalesMind.TestSupport;

namespace SalesMind.EndToEnd.Tests;

/// <summary>
/// Forged delivery reports against the running stack, the way an outsider on port 25
/// sends them: through the stack's Postfix to the bounce domain, which hands them to the
/// Notifier's report listener; and a MAIL FROM shaped like a Postfix log line. The victim's
/// verification email stays delivered and the address unsuppressed; the forgeries are listed as
/// rejected reports.
/// </summary>
public sealed class ForgedReportsOverSmtpTests
{
    private static readonly string BounceDomain = Environment.GetEnvironmentVariable("SALESMIND_TEST_BOUNCE_DOMAIN") is { Length: > 0 } d ? d : "bounces.salesmind.test";

    private static async Task<JsonElement> AdminGetAsync(string token, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await FrontDoor.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<JsonElement> VerificationDeliveryAsync(string token, string recipient)
    {
        JsonElement? found = null;
        await Eventually.HoldsAsync(async () =>
        {
            var page = await AdminGetAsync(token, $"/notifier/api/admin/deliveries?recipient={Uri.EscapeDataString(recipient)}&template=email-verification");
            found = page.GetProperty("items").EnumerateArray().Select(x => (JsonElement?)x).FirstOrDefault();
            return found?.GetProperty("status").GetString() == "delivered";
        }, TimeSpan.FromSeconds(30), $"the verification email to {recipient} delivered");
        return await AdminGetAsync(token, $"/notifier/api/admin/deliveries/{found!.Value.GetProperty("id").GetGuid()}");
    }

    private static MimeMessage ForgedBounce(Guid deliveryId, string queueId, string recipient)
    {
        var report = new MultipartReport("delivery-status") { new TextPart("plain") { Text = "Your message could not be delivered." } };
        var status = new MessageDeliveryStatus();
        status.StatusGroups.Add(new HeaderList
        {
            { "Reporting-MTA", "dns; mx.attacker.test" },
            { "X-Postfix-Queue-ID", queueId },
            { "Original-Envelope-Id", deliveryId.ToString() },
        });
        status.StatusGroups.Add(new HeaderList
        {
            { "Final-Recipient", $"rfc822; {recipient}" },
            { "Action", "failed" },
            { "Status", "5.1.1" },
            { "Diagnostic-Code", "smtp; 550 5.1.1 forged" },
        });
        report.Add(status);
        var message = new MimeMessage { Subject = "Undelivered Mail Returned to Sender", Body = report };
        message.From.Add(MailboxAddress.Parse("MAILER-DAEMON@mx.attacker.test"));
        message.To.Add(MailboxAddress.Parse($"bounces@{BounceDomain}"));
        return message;
    }

    [Fact]
    public async Task Forged_reports_and_a_log_line_in_MAIL_FROM_sent_through_the_mail_server_leave_the_victim_delivered_and_unsuppressed()
    {
        var token = await SignUpOverHttpTests.AdminTokenAsync();
        var form = FrontDoor.NewSignup();
        Assert.True((await FrontDoor.RegisterAsync(form)).IsSuccessStatusCode);
        var victim = await VerificationDeliveryAsync(token, form["email"]!);
        var id = victim.GetProperty("id").GetGuid();
        var queueId = victim.GetProperty("queue_id").GetString()!;
        string[] addresses = [$"bounces@{BounceDomain}", $"bounces+{id:N}@{BounceDomain}", $"bounces+{id:N}.aaaaaaaaaaaaaaaa@{BounceDomain}"];

        // Through the stack's Postfix, which routes the bounce domain to the Notifier's listener.
        using (var smtp = new SmtpClient())
        {
            await smtp.ConnectAsync(Stack.SmtpHost, Stack.SmtpPort, MailKit.Security.SecureSocketOptions.None);
            foreach (var address in addresses)
            {
                await smtp.SendAsync(ForgedBounce(id, queueId, form["email"]!), MailboxAddress.Parse("MAILER-DAEMON@mx.attacker.test"), [MailboxAddress.Parse(address)]);
            }

            await smtp.DisconnectAsync(true);
        }

        // And the log route: a sender Postfix writes verbatim into its own log line.
        await RawSmtp.SendAsync(Stack.SmtpHost, Stack.SmtpPort, $"\"postfix/error[1]: {queueId}: to=<{form["email"]}>, relay=none, delay=0, delays=0/0/0/0, dsn=5.1.1, status=bounced (forged\"@evil.test",
            Stack.NewMailbox("injected"));

        await Eventually.HoldsAsync(async () =>
        {
            var rejected = await AdminGetAsync(token, "/notifier/api/admin/reports/rejected?limit=200");
            return rejected.GetProperty("items").EnumerateArray().Count(r => r.GetProperty("envelope_id").GetString() == id.ToString()) == addresses.Length;
        }, TimeSpan.FromSeconds(60), "the three forged reports listed as rejected");
        // A later email of ours ends delivered from the log: the follower has read past the injected line.
        var later = FrontDoor.NewSignup();
        Assert.True((await FrontDoor.RegisterAsync(later)).IsSuccessStatusCode);
        await VerificationDeliveryAsync(token, later["email"]!);

        var after = await AdminGetAsync(token, $"/notifier/api/admin/deliveries/{id}");
        Assert.Equal("delivered", after.GetProperty("status").GetString());
        var suppressions = await AdminGetAsync(token, "/notifier/api/admin/suppressions");
        Assert.DoesNotContain(suppressions.EnumerateArray(), s => s.GetProperty("address").GetString() == form["email"]);
    }

}
