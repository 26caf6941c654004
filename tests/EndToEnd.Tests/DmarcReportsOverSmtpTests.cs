using System.Net.Http.Headers;
using System.Text.Json;
using MailKit.Net.Smtp;
using MimeKit;
using SalesMind.Notifier;
using SalesMind.TestSupport;

namespace SalesMind.EndToEnd.Tests;

/// <summary>
/// A receiver's DMARC aggregate report mailed the way receivers do: through the stack's Postfix to
/// the report address at the bounce domain, which Postfix routes to the Notifier's report
/// listener; then read from the admin API through nginx. A second copy counts once; a report about
/// a domain we do not send from is not kept.
/// </summary>
public sealed class DmarcReportsOverSmtpTests
{
    private static readonly string BounceDomain = Environment.GetEnvironmentVariable("SALESMIND_TEST_BOUNCE_DOMAIN") is { Length: > 0 } d ? d : "bounces.salesmind.test";

    /// <summary>The stack Notifier's sender domain (Mail:FromAddress no-reply@salesmind.test).</summary>
    private const string OurDomain = "salesmind.test";

    private static string ReportAddress => $"dmarc@{BounceDomain}";

    private static async Task<JsonElement> AdminGetAsync(string token, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await FrontDoor.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<JsonElement?> SourceAsync(string token, string domain, string ip)
    {
        var summary = await AdminGetAsync(token, "/notifier/api/admin/dmarc-reports/summary?days=7");
        return summary.GetProperty("domains").EnumerateArray()
            .Where(x => x.GetProperty("domain").GetString() == domain)
            .SelectMany(x => x.GetProperty("sources").EnumerateArray())
            .Select(s => (JsonElement?)s)
            .FirstOrDefault(s => s!.Value.GetProperty("source_ip").GetString() == ip);
    }

    private static async Task<long> MessagesAsync(string token, string domain, string ip) =>
        (await SourceAsync(token, domain, ip))?.GetProperty("messages").GetInt64() ?? 0;

    /// <summary>A source no other run reports on: a random address in the IPv6 documentation range.</summary>
    private static string NewSourceIp() => $"2001:db8:{Random.Shared.Next(0x10000):x}:{Random.Shared.Next(0x10000):x}::{Random.Shared.Next(1, 0x10000):x}";

    /// <summary>Hands <paramref name="report"/> to Postfix; the queue id it got there.</summary>
    private static async Task<string> MailThroughPostfixAsync(MimeMessage report)
    {
        using var smtp = new SmtpClient();
        await smtp.ConnectAsync(Stack.SmtpHost, Stack.SmtpPort, MailKit.Security.SecureSocketOptions.None);
        var reply = await smtp.SendAsync(report, report.From.Mailboxes.First(), [MailboxAddress.Parse(ReportAddress)]);
        await smtp.DisconnectAsync(true);
        return System.Text.RegularExpressions.Regex.Match(reply, @"queued as (\S+)").Groups[1].Value;
    }

    /// <summary>
    /// Waits until Postfix has handed the message over to the report listener: the listener
    /// answers 250 only once the report is recorded (or refused), so it has been looked at.
    /// </summary>
    private static Task HandedOverAsync(string queueId) =>
        Eventually.HoldsAsync(() => Task.FromResult(File.ReadLines(Stack.PostfixLog).Any(l =>
                l.Contains($" {queueId}: to=<{ReportAddress}>", StringComparison.OrdinalIgnoreCase) && l.Contains("status=sent", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(60), $"Postfix handed {queueId} to the report listener");

    [Fact]
    public async Task A_gzipped_report_mailed_through_the_mail_server_shows_in_the_summary_once_and_a_foreign_one_not_at_all()
    {
        var token = await SignUpOverHttpTests.AdminTokenAsync();
        var end = DateTimeOffset.UtcNow;
        var begin = end.AddDays(-1);
        var ours = NewSourceIp();
        var spoofer = NewSourceIp();
        var reportId = Guid.NewGuid().ToString("N");
        DmarcMessages.Row[] rows = [new(ours, 40, "none", "pass", "pass"), new(spoofer, 3, "reject", "fail", "fail")];
        var foreign = $"victim-{Guid.NewGuid():N}.example";

        string[] queueIds =
        [
            await MailThroughPostfixAsync(DmarcMessages.Microsoft(ReportAddress, OurDomain, reportId, begin, end, rows)),
            // Receivers do send a report again.
            await MailThroughPostfixAsync(DmarcMessages.Microsoft(ReportAddress, OurDomain, reportId, begin, end, rows)),
            await MailThroughPostfixAsync(DmarcMessages.Google(ReportAddress, foreign, Guid.NewGuid().ToString("N"), begin, end,
                new DmarcMessages.Row(spoofer, 9, "none", "fail", "fail"))),
        ];
        Assert.All(queueIds, id => Assert.NotEmpty(id));
        foreach (var queueId in queueIds)
        {
            await HandedOverAsync(queueId);
        }

        Assert.Equal(40, await MessagesAsync(token, OurDomain, ours));
        var failing = (await SourceAsync(token, OurDomain, spoofer))!.Value;
        Assert.Equal((3L, 3L, 3L), (failing.GetProperty("messages").GetInt64(), failing.GetProperty("dmarc_fail").GetInt64(),
            failing.GetProperty("dispositions").GetProperty("reject").GetInt64()));
        var list = await AdminGetAsync(token, $"/notifier/api/admin/dmarc-reports?domain={OurDomain}&limit=200");
        Assert.Single(list.GetProperty("items").EnumerateArray(), r => r.GetProperty("report_id").GetString() == reportId);
        var summary = await AdminGetAsync(token, "/notifier/api/admin/dmarc-reports/summary?days=7");
        Assert.DoesNotContain(summary.GetProperty("domains").EnumerateArray(), x => x.GetProperty("domain").GetString() == foreign);
    }
}
