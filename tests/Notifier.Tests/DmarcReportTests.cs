using System.Net;
using System.Text;
using System.Text.Json;
using MailKit.Net.Smtp;
using MimeKit;
using SalesMind.TestSupport;

namespace SalesMind.Notifier.Tests;

/// <summary>
/// DMARC aggregate reports mailed over SMTP to the report address at the bounce domain, as a
/// receiver (or anyone else) sends them to the report listener, and read back from the admin API:
/// the counts per source, a report mailed twice counted once, a report about someone else's domain
/// and hostile attachments refused without harming the listener.
/// </summary>
[Collection(NotifierCollection.Name)]
public sealed partial class DmarcReportTests(NotifierApp app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>The test app's own sender domain (Mail:FromAddress no-reply@salesmind.test).</summary>
    private const string OurDomain = "salesmind.test";

    private static string ReportAddress => $"dmarc@{NotifierApp.BounceDomain}";

    private HttpClient Admin() => app.AdminClient();

    /// <summary>An address no other test (or earlier run) reports on: a random one in the IPv6 documentation range.</summary>
    private static string NewSourceIp() => $"2001:db8:{Random.Shared.Next(0x10000):x}:{Random.Shared.Next(0x10000):x}::{Random.Shared.Next(1, 0x10000):x}";

    private static (DateTimeOffset Begin, DateTimeOffset End) Yesterday()
    {
        var end = DateTimeOffset.UtcNow;
        return (end.AddDays(-1), end);
    }

    /// <summary>Sends <paramref name="report"/> to the report listener; its answer (a 4xx would throw).</summary>
    private static async Task<string> MailAsync(MimeMessage report, string to)
    {
        using var smtp = new SmtpClient();
        await smtp.ConnectAsync("127.0.0.1", NotifierApp.BouncePort, MailKit.Security.SecureSocketOptions.None);
        var reply = await smtp.SendAsync(report, report.From.Mailboxes.First(), [MailboxAddress.Parse(to)]);
        await smtp.DisconnectAsync(true);
        return reply;
    }

    private async Task<JsonElement> SummaryAsync(int days = 7) =>
        await NotifierApp.JsonAsync(await Admin().GetAsync($"/api/admin/dmarc-reports/summary?days={days}"), HttpStatusCode.OK);

    /// <summary>The summary's row for <paramref name="ip"/> under <paramref name="domain"/>, or null.</summary>
    private async Task<JsonElement?> SourceAsync(string domain, string ip)
    {
        var summary = await SummaryAsync();
        return summary.GetProperty("domains").EnumerateArray()
            .Where(d => d.GetProperty("domain").GetString() == domain)
            .SelectMany(d => d.GetProperty("sources").EnumerateArray())
            .Select(s => (JsonElement?)s)
            .FirstOrDefault(s => s!.Value.GetProperty("source_ip").GetString() == ip);
    }

    private async Task<long> MessagesAsync(string domain, string ip) =>
        (await SourceAsync(domain, ip))?.GetProperty("messages").GetInt64() ?? 0;

    [Fact]
    public async Task A_gzipped_report_shows_per_source_pass_and_fail_and_the_same_report_mailed_twice_counts_once()
    {
        var (begin, end) = Yesterday();
        var good = NewSourceIp();
        var spoofer = NewSourceIp();
        var forwarder = NewSourceIp();
        var reportId = Guid.NewGuid().ToString("N");
        DmarcMessages.Row[] rows =
        [
            new(good, 120, "none", "pass", "pass"),
            new(spoofer, 7, "reject", "fail", "fail"),
            new(forwarder, 5, "none", "pass", "fail"),
        ];

        var reply = await MailAsync(DmarcMessages.Microsoft(ReportAddress, OurDomain, reportId, begin, end, rows), ReportAddress);
        Assert.Equal("Ok", reply); // 250 Ok: the listener took it (a refusal would have thrown)
        await Eventually.HoldsAsync(async () => await MessagesAsync(OurDomain, good) == 120, Patience, "the report's rows in the summary");

        // The same report again (receivers do resend), then another reporter's report on the same source.
        await MailAsync(DmarcMessages.Microsoft(ReportAddress, OurDomain, reportId, begin, end, rows), ReportAddress);
        await MailAsync(DmarcMessages.Google(ReportAddress, OurDomain, Guid.NewGuid().ToString("N"), begin, end, new DmarcMessages.Row(good, 30, "none", "pass", "pass")), ReportAddress);
        await Eventually.HoldsAsync(async () => await MessagesAsync(OurDomain, good) == 150, Patience, "the second reporter's rows counted");

        // The listener answers only after recording, so the second copy was settled before Google's report: it added nothing.
        var source = (await SourceAsync(OurDomain, good))!.Value;
        Assert.Equal((150L, 150L, 0L, 150L, 0L, 150L, 0L), (source.GetProperty("messages").GetInt64(), source.GetProperty("dkim_pass").GetInt64(),
            source.GetProperty("dkim_fail").GetInt64(), source.GetProperty("spf_pass").GetInt64(), source.GetProperty("spf_fail").GetInt64(),
            source.GetProperty("dmarc_pass").GetInt64(), source.GetProperty("dmarc_fail").GetInt64()));
        Assert.Equal(["Enterprise Outlook", "google.com"], source.GetProperty("reporters").EnumerateArray().Select(r => r.GetString()!).ToList());

        var failing = (await SourceAsync(OurDomain, spoofer))!.Value;
        Assert.Equal((7L, 0L, 7L, 7L), (failing.GetProperty("messages").GetInt64(), failing.GetProperty("dmarc_pass").GetInt64(),
            failing.GetProperty("dmarc_fail").GetInt64(), failing.GetProperty("dispositions").GetProperty("reject").GetInt64()));
        // DKIM alone aligned and passing is a DMARC pass.
        var forwarded = (await SourceAsync(OurDomain, forwarder))!.Value;
        Assert.Equal((5L, 0L, 5L, 5L, 0L), (forwarded.GetProperty("dkim_pass").GetInt64(), forwarded.GetProperty("spf_pass").GetInt64(),
            forwarded.GetProperty("spf_fail").GetInt64(), forwarded.GetProperty("dmarc_pass").GetInt64(), forwarded.GetProperty("dmarc_fail").GetInt64()));

        // Failing sources come first in their domain.
        var sources = (await SummaryAsync()).GetProperty("domains").EnumerateArray().Single(d => d.GetProperty("domain").GetString() == OurDomain)
            .GetProperty("sources").EnumerateArray().ToList();
        Assert.True(sources.FindIndex(s => s.GetProperty("source_ip").GetString() == spoofer) < sources.FindIndex(s => s.GetProperty("source_ip").GetString() == good));

        // Listed once, with its totals.
        var list = await NotifierApp.JsonAsync(await Admin().GetAsync($"/api/admin/dmarc-reports?domain={OurDomain}&limit=200"), HttpStatusCode.OK);
        var listed = Assert.Single(list.GetProperty("items").EnumerateArray(), r => r.GetProperty("report_id").GetString() == reportId);
        Assert.Equal(("Enterprise Outlook", "quarantine", 3, 132L, 7L), (listed.GetProperty("org_name").GetString(), listed.GetProperty("policy").GetString(),
            listed.GetProperty("rows").GetInt32(), listed.GetProperty("messages").GetInt64(), listed.GetProperty("dmarc_fail").GetInt64()));

        var metrics = await Admin().GetStringAsync("/metrics");
        Assert.Matches("salesmind_dmarc_reports_total\\{[^}]*outcome=\"duplicate\"[^}]*\\} [1-9]", metrics);
        Assert.Matches("salesmind_dmarc_reports_total\\{[^}]*outcome=\"accepted\"[^}]*\\} [1-9]", metrics);
    }

    [Fact]
    public async Task A_report_about_someone_elses_domain_is_refused_and_counted()
    {
        var (begin, end) = Yesterday();
        var victimSource = NewSourceIp();
        var marker = NewSourceIp();
        var foreign = $"victim-{Guid.NewGuid():N}.example";

        await MailAsync(DmarcMessages.Google(ReportAddress, foreign, Guid.NewGuid().ToString("N"), begin, end, new DmarcMessages.Row(victimSource, 9, "none", "fail", "fail")), ReportAddress);
        // Mail is taken in order: once a later report of ours shows, the foreign one was settled.
        await MailAsync(DmarcMessages.Yahoo(ReportAddress, OurDomain, Guid.NewGuid().ToString("N"), begin, end, new DmarcMessages.Row(marker, 1, "none", "pass", "pass")), ReportAddress);
        await Eventually.HoldsAsync(async () => await MessagesAsync(OurDomain, marker) == 1, Patience, "the later report of ours counted");

        var summary = await SummaryAsync();
        Assert.DoesNotContain(summary.GetProperty("domains").EnumerateArray(), d => d.GetProperty("domain").GetString() == foreign);
        var list = await NotifierApp.JsonAsync(await Admin().GetAsync($"/api/admin/dmarc-reports?domain={foreign}"), HttpStatusCode.OK);
        Assert.Empty(list.GetProperty("items").EnumerateArray());
        // The exporter may answer a scrape from its short cache: asked again until the count shows.
        await Eventually.HoldsAsync(
            async () => ForeignCounted().IsMatch(await Admin().GetStringAsync("/metrics")), Patience, "the foreign report counted in /metrics");
    }

    [Fact]
    public async Task Hostile_attachments_are_taken_refused_and_counted_and_the_listener_keeps_working()
    {
        var (begin, end) = Yesterday();
        var xxe = $"""
            <?xml version="1.0"?>
            <!DOCTYPE feedback [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
            <feedback><report_metadata><org_name>&xxe;</org_name><report_id>xxe</report_id></report_metadata></feedback>
            """;
        var padded = DmarcMessages.GoogleXml(OurDomain, Guid.NewGuid().ToString("N"), begin, end, new DmarcMessages.Row(NewSourceIp(), 1, "none", "pass", "pass"))
            .Replace("<feedback>", "<feedback>" + new string(' ', 21 * 1024 * 1024), StringComparison.Ordinal);
        var noise = new byte[2048];
        Random.Shared.NextBytes(noise);
        noise[0] = 0x1f;
        noise[1] = 0x8b;
        const string From = "dmarc@attacker.test";

        // Every one of them is answered like a report (a 4xx would throw: the sender would retry for days).
        await MailAsync(DmarcMessages.Mail(From, ReportAddress, "xxe", "text/xml", "report.xml", Encoding.UTF8.GetBytes(xxe)), ReportAddress);
        await MailAsync(DmarcMessages.Mail(From, ReportAddress, "bomb", "application/gzip", "report.xml.gz", DmarcMessages.Gzip(padded)), ReportAddress);
        await MailAsync(DmarcMessages.Mail(From, ReportAddress, "slip", "application/zip", "report.zip",
            DmarcMessages.Zip(("../../report.xml", DmarcMessages.GoogleXml(OurDomain, "slip", begin, end)))), ReportAddress);
        await MailAsync(DmarcMessages.Mail(From, ReportAddress, "noise", "application/gzip", "report.xml.gz", noise), ReportAddress);
        await MailAsync(new MimeMessage(new[] { MailboxAddress.Parse(From) }, new[] { MailboxAddress.Parse(ReportAddress) }, "hello",
            new TextPart("plain") { Text = "no report here" }), ReportAddress);

        var marker = NewSourceIp();
        await MailAsync(DmarcMessages.Plain(ReportAddress, OurDomain, Guid.NewGuid().ToString("N"), begin, end, new DmarcMessages.Row(marker, 2, "none", "pass", "pass")), ReportAddress);
        await Eventually.HoldsAsync(async () => await MessagesAsync(OurDomain, marker) == 2, Patience, "a real report after the hostile ones counted");

        var metrics = await Admin().GetStringAsync("/metrics");
        foreach (var outcome in new[] { "bad_xml", "too_large", "bad_archive", "no_report" })
        {
            Assert.Matches($"salesmind_dmarc_reports_total\\{{[^}}]*outcome=\"{outcome}\"[^}}]*\\}} [1-9]", metrics);
        }
    }

    [Fact]
    public async Task The_summary_and_the_list_name_the_field_that_is_wrong()
    {
        var days = await NotifierApp.JsonAsync(await Admin().GetAsync("/api/admin/dmarc-reports/summary?days=0"), HttpStatusCode.BadRequest);
        Assert.Contains("between 1 and 90", days.GetProperty("errors").GetProperty("days")[0].GetString());
        var list = await NotifierApp.JsonAsync(await Admin().GetAsync("/api/admin/dmarc-reports?limit=500&domain=not%20a%20domain"), HttpStatusCode.BadRequest);
        Assert.True(list.GetProperty("errors").TryGetProperty("limit", out _));
        Assert.True(list.GetProperty("errors").TryGetProperty("domain", out _));
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClient().GetAsync("/api/admin/dmarc-reports/summary")).StatusCode);
    }

    [System.Text.RegularExpressions.GeneratedRegex("salesmind_dmarc_reports_total\\{[^}]*outcome=\"foreign_domain\"[^}]*\\} [1-9]")]
    private static partial System.Text.RegularExpressions.Regex ForeignCounted();
}
