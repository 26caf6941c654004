using System.IO.Compression;
using System.Text;
using MimeKit;
using SalesMind.Notifier.DomainHealth;

namespace SalesMind.Notifier.UnitTests;

/// <summary>
/// The DMARC aggregate report parser, fed the large receivers' real formats (Google's zip,
/// Microsoft's and Yahoo's gzip, plain XML) and what an outsider can mail to the report address
/// instead: external entities, entity bombs, zip and gzip bombs, zip slip, garbage, bad addresses
/// and counts. Every hostile input ends in a refusal with a reason, never an exception.
/// </summary>
public sealed class DmarcReportParserTests
{
    private const string To = "dmarc@bounces.salesmind.example";
    private const string Domain = "salesmind.example";
    private static readonly DateTimeOffset Begin = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset End = Begin.AddDays(1).AddSeconds(-1);

    private static readonly DmarcMessages.Row[] Rows =
    [
        new("192.0.2.25", 1840, "none", "pass", "pass"),
        new("2001:db8::25", 12, "none", "pass", "fail"),
        new("203.0.113.66", 37, "reject", "fail", "fail"),
    ];

    private static DmarcReport Accepted(DmarcParse parsed)
    {
        Assert.True(parsed.Outcome == DmarcReportOutcome.Accepted, $"{parsed.Outcome}: {parsed.Detail}");
        return parsed.Report!;
    }

    private static void Refused(DmarcParse parsed, DmarcReportOutcome outcome, string because)
    {
        Assert.True(parsed.Outcome == outcome, $"expected {outcome}, got {parsed.Outcome}: {parsed.Detail}");
        Assert.Null(parsed.Report);
        Assert.Contains(because, parsed.Detail, StringComparison.OrdinalIgnoreCase);
    }

    private static DmarcParse ParseXml(string xml) => DmarcReportParser.ParseAttachment(Encoding.UTF8.GetBytes(xml));

    private static string Report(string rowsXml, string domain = Domain) => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <feedback>
          <report_metadata><org_name>attacker.test</org_name><report_id>r-1</report_id>
            <date_range><begin>{Begin.ToUnixTimeSeconds()}</begin><end>{End.ToUnixTimeSeconds()}</end></date_range></report_metadata>
          <policy_published><domain>{domain}</domain><p>none</p></policy_published>
          {rowsXml}
        </feedback>
        """;

    private static string Row(string ip, string count) =>
        $"<record><row><source_ip>{ip}</source_ip><count>{count}</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>{Domain}</header_from></identifiers></record>";

    // ------------------------------------------------------------------ the receivers' formats

    [Fact]
    public void Googles_zipped_report_gives_every_row_with_its_evaluation()
    {
        var report = Accepted(DmarcReportParser.Parse(DmarcMessages.Google(To, Domain, "10384729163829463829", Begin, End, Rows)));

        Assert.Equal(("google.com", "10384729163829463829", Domain, "none"), (report.OrgName, report.ReportId, report.Domain, report.Policy));
        Assert.Equal((Begin, End), (report.BeginAt, report.EndAt));
        Assert.Equal(3, report.Records.Count);
        var spoofer = report.Records[2];
        Assert.Equal(("203.0.113.66", 37, "reject", "fail", "fail", Domain),
            (spoofer.SourceIp, spoofer.Count, spoofer.Disposition, spoofer.Dkim, spoofer.Spf, spoofer.HeaderFrom));
        Assert.Equal("2001:db8::25", report.Records[1].SourceIp);
    }

    [Fact]
    public void Microsofts_gzipped_report_with_schema_namespaces_and_envelope_identifiers_is_read()
    {
        var report = Accepted(DmarcReportParser.Parse(DmarcMessages.Microsoft(To, Domain, "a3c0b1d2e4f5461a8b9c0d1e2f3a4b5c", Begin, End, Rows)));

        Assert.Equal(("Enterprise Outlook", "quarantine"), (report.OrgName, report.Policy));
        Assert.Equal([1840, 12, 37], report.Records.Select(r => r.Count));
    }

    [Fact]
    public void Yahoos_gzip_sent_as_an_octet_stream_is_told_by_its_bytes()
    {
        var report = Accepted(DmarcReportParser.Parse(DmarcMessages.Yahoo(To, Domain, "1764288000.871542", Begin, End, Rows)));

        Assert.Equal(("Yahoo", "1764288000.871542", "reject"), (report.OrgName, report.ReportId, report.Policy));
        Assert.Equal(3, report.Records.Count);
    }

    [Fact]
    public void A_plain_XML_report_is_read()
    {
        var report = Accepted(DmarcReportParser.Parse(DmarcMessages.Plain(To, Domain, "plain-1", Begin, End, Rows)));

        Assert.Equal("mx.example.org", report.OrgName);
        Assert.Equal(3, report.Records.Count);
    }

    [Fact]
    public void A_report_in_the_DMARC_namespace_with_an_upper_case_domain_and_a_mapped_address_is_normalised()
    {
        var xml = Report(Row("::ffff:192.0.2.7", "3"), "SalesMind.Example.").Replace("<feedback>", "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">", StringComparison.Ordinal);

        var report = Accepted(ParseXml(xml));

        Assert.Equal(Domain, report.Domain);
        Assert.Equal("192.0.2.7", Assert.Single(report.Records).SourceIp);
    }

    [Fact]
    public void A_report_with_no_rows_is_a_report()
    {
        Assert.Empty(Accepted(ParseXml(Report(""))).Records);
    }

    // ------------------------------------------------------------------ what an outsider mails instead

    [Fact]
    public void An_external_entity_is_refused_before_anything_is_read()
    {
        var secret = Path.GetTempFileName();
        File.WriteAllText(secret, "top-secret");
        var xml = $"""
            <?xml version="1.0"?>
            <!DOCTYPE feedback [ <!ENTITY xxe SYSTEM "file://{secret}"> ]>
            <feedback><report_metadata><org_name>&xxe;</org_name></report_metadata></feedback>
            """;

        var parsed = ParseXml(xml);

        Refused(parsed, DmarcReportOutcome.BadXml, "DTD");
        Assert.DoesNotContain("top-secret", parsed.Detail, StringComparison.Ordinal);
        File.Delete(secret);
    }

    [Fact]
    public void An_entity_bomb_is_refused()
    {
        var xml = """
            <?xml version="1.0"?>
            <!DOCTYPE lolz [
              <!ENTITY lol "lol">
              <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
              <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
              <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
            ]>
            <feedback><report_metadata><org_name>&lol3;</org_name></report_metadata></feedback>
            """;

        Refused(ParseXml(xml), DmarcReportOutcome.BadXml, "DTD");
    }

    /// <summary>A well-formed report padded with whitespace to more than the cap: a few tens of KB compressed.</summary>
    private static string Padded() => Report(Row("192.0.2.1", "1")).Replace("<feedback>", "<feedback>" + new string(' ', DmarcReportParser.MaxXmlBytes), StringComparison.Ordinal);

    [Fact]
    public void A_gzip_bomb_is_refused_at_the_size_cap()
    {
        var bomb = DmarcMessages.Gzip(Padded());
        Assert.True(bomb.Length < 200_000, $"the bomb is {bomb.Length} bytes compressed");

        Refused(DmarcReportParser.ParseAttachment(bomb), DmarcReportOutcome.TooLarge, "20 MB");
    }

    [Fact]
    public void A_zip_bomb_is_refused_at_the_size_cap_whatever_size_it_declares()
    {
        var bomb = DmarcMessages.Zip(("report.xml", Padded()));
        // The same bomb with its declared sizes (local header and central directory) set to 100 bytes.
        var lying = (byte[])bomb.Clone();
        SetDeclaredSize(lying, 0x04034b50, 22, 100);
        SetDeclaredSize(lying, 0x02014b50, 24, 100);

        Refused(DmarcReportParser.ParseAttachment(bomb), DmarcReportOutcome.TooLarge, "20 MB");
        var parsed = DmarcReportParser.ParseAttachment(lying);
        Assert.Null(parsed.Report);
        // Read up to the cap, stopped at the lie, or cut short where the lie says: never a report, never an exception.
        Assert.Contains(parsed.Outcome, new[] { DmarcReportOutcome.TooLarge, DmarcReportOutcome.BadArchive, DmarcReportOutcome.BadXml });
    }

    /// <summary>Overwrites the uncompressed size in every zip header with <paramref name="signature"/>.</summary>
    private static void SetDeclaredSize(byte[] zip, uint signature, int offset, uint size)
    {
        for (var i = 0; i + offset + 4 <= zip.Length - 4; i++)
        {
            if (BitConverter.ToUInt32(zip, i) == signature)
            {
                BitConverter.GetBytes(size).CopyTo(zip, i + offset);
            }
        }
    }

    [Theory]
    [InlineData("../../etc/cron.d/report.xml")]
    [InlineData("/etc/report.xml")]
    [InlineData("reports/report.xml")]
    [InlineData("..\\..\\windows\\report.xml")]
    [InlineData("C:report.xml")]
    [InlineData("report.exe")]
    public void A_zip_entry_with_a_path_or_another_kind_of_file_is_refused(string name)
    {
        var zip = DmarcMessages.Zip((name, DmarcMessages.GoogleXml(Domain, "slip", Begin, End, Rows)));

        Refused(DmarcReportParser.ParseAttachment(zip), DmarcReportOutcome.BadArchive, "plain file name");
    }

    [Fact]
    public void A_zip_with_many_entries_is_refused()
    {
        var entries = Enumerable.Range(0, 500).Select(i => ($"report-{i}.xml", DmarcMessages.GoogleXml(Domain, $"many-{i}", Begin, End, Rows))).ToArray();

        Refused(DmarcReportParser.ParseAttachment(DmarcMessages.Zip(entries)), DmarcReportOutcome.BadArchive, "500 entries");
        Refused(DmarcReportParser.ParseAttachment(DmarcMessages.Zip()), DmarcReportOutcome.BadArchive, "0 entries");
    }

    [Fact]
    public void Garbage_in_every_shape_is_refused_with_a_reason()
    {
        var random = new Random(14);
        var noise = new byte[4096];
        random.NextBytes(noise);
        noise[0] = (byte)'x';
        var gzipNoise = new byte[] { 0x1f, 0x8b }.Concat(noise).ToArray();
        var zipNoise = "PK\u0003\u0004"u8.ToArray().Concat(noise).ToArray();
        var truncated = DmarcMessages.Gzip(DmarcMessages.GoogleXml(Domain, "cut", Begin, End, Rows))[..40];

        Refused(DmarcReportParser.ParseAttachment(noise), DmarcReportOutcome.BadXml, "not well-formed");
        Refused(DmarcReportParser.ParseAttachment(gzipNoise), DmarcReportOutcome.BadArchive, "gzip");
        Refused(DmarcReportParser.ParseAttachment(zipNoise), DmarcReportOutcome.BadArchive, "zip");
        Assert.Null(DmarcReportParser.ParseAttachment(truncated).Report);
        Refused(DmarcReportParser.ParseAttachment([]), DmarcReportOutcome.BadXml, "not well-formed");
        Refused(ParseXml("<html><body>hello</body></html>"), DmarcReportOutcome.Invalid, "<html>");
        Refused(ParseXml("<feedback/>"), DmarcReportOutcome.Invalid, "report_metadata");
    }

    [Fact]
    public void A_mail_without_a_report_attachment_is_refused()
    {
        var message = new MimeMessage { Subject = "hello", Body = new TextPart("plain") { Text = "<feedback></feedback>" } };

        Refused(DmarcReportParser.Parse(message), DmarcReportOutcome.NoReport, "no gzip, zip or XML attachment");
    }

    [Theory]
    [InlineData("1")]
    [InlineData("999.1.1.1")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("127.1")]
    [InlineData("fe80::1%eth0")]
    [InlineData("not-an-address")]
    [InlineData("")]
    [InlineData("192.0.2.1; DROP TABLE dmarc_reports")]
    public void A_row_whose_source_is_not_an_IP_address_refuses_the_report(string ip)
    {
        Refused(ParseXml(Report(Row("192.0.2.1", "1") + Row(ip, "5"))), DmarcReportOutcome.Invalid, "row 2: source_ip");
    }

    [Theory]
    [InlineData("99999999999999999999")]
    [InlineData("2000000000")]
    [InlineData("-5")]
    [InlineData("1e9")]
    [InlineData("12.5")]
    [InlineData("")]
    public void A_count_that_is_no_plausible_number_of_messages_refuses_the_report(string count)
    {
        Refused(ParseXml(Report(Row("192.0.2.1", count))), DmarcReportOutcome.Invalid, "row 1: count");
    }

    [Fact]
    public void More_rows_than_the_cap_are_refused()
    {
        var rows = string.Concat(Enumerable.Repeat(Row("192.0.2.1", "1"), DmarcReportParser.MaxRecords + 1));

        Refused(ParseXml(Report(rows)), DmarcReportOutcome.TooManyRecords, "rows");
        Assert.Equal(DmarcReportParser.MaxRecords, Accepted(ParseXml(Report(string.Concat(Enumerable.Repeat(Row("192.0.2.1", "1"), DmarcReportParser.MaxRecords))))).Records.Count);
    }

    [Theory]
    [InlineData("<org_name>attacker.test</org_name>", "", "org_name")]
    [InlineData("<report_id>r-1</report_id>", "", "report_id")]
    [InlineData("<report_id>r-1</report_id>", "<report_id>\tr-\t1\n</report_id>", null)]
    [InlineData("<domain>salesmind.example</domain>", "<domain>not a domain</domain>", "policy_published/domain")]
    [InlineData("<begin>", "<begin>99", "date_range")]
    public void Missing_or_broken_metadata_refuses_the_report(string part, string replacement, string? because)
    {
        var parsed = ParseXml(Report(Row("192.0.2.1", "1")).Replace(part, replacement, StringComparison.Ordinal));

        if (because is null)
        {
            // Control characters (XML allows tabs and line breaks) are dropped, not stored.
            Assert.Equal("r-1", Accepted(parsed).ReportId);
            return;
        }

        Refused(parsed, DmarcReportOutcome.Invalid, because);
    }

    [Fact]
    public void A_report_whose_period_ends_before_it_begins_is_refused()
    {
        var xml = Report("").Replace($"<begin>{Begin.ToUnixTimeSeconds()}</begin>", $"<begin>{End.AddDays(2).ToUnixTimeSeconds()}</begin>", StringComparison.Ordinal);

        Refused(ParseXml(xml), DmarcReportOutcome.Invalid, "date_range");
    }

    [Fact]
    public void Odd_evaluation_words_are_dropped_not_stored()
    {
        var row = Row("192.0.2.1", "4").Replace("<dkim>pass</dkim>", "<dkim>PASS</dkim>", StringComparison.Ordinal)
            .Replace("<spf>pass</spf>", "<spf>&lt;script&gt;</spf>", StringComparison.Ordinal);

        var record = Assert.Single(Accepted(ParseXml(Report(row))).Records);

        Assert.Equal(("pass", null), (record.Dkim, record.Spf));
    }

    // ------------------------------------------------------------------ whose reports are kept

    private static DmarcReport About(string domain, params string?[] headerFroms) => new()
    {
        OrgName = "google.com",
        ReportId = "1",
        Domain = domain,
        Records = headerFroms.Select((from, i) => new DmarcReportRecord { SourceIp = $"192.0.2.{i + 1}", Count = 1, HeaderFrom = from }).ToList(),
    };

    [Fact]
    public void Only_reports_about_our_sender_domains_are_kept()
    {
        var ours = new HashSet<string> { "salesmind.example", "mail.shop.example" };

        Assert.Null(DmarcReportIntake.KeepOurs(About("salesmind.example", "salesmind.example", "news.salesmind.example"), ours));
        Assert.Contains("none of our sender domains", DmarcReportIntake.KeepOurs(About("victim.example", "victim.example"), ours));
        Assert.Contains("none of our sender domains", DmarcReportIntake.KeepOurs(About("evil-salesmind.example", "salesmind.example"), ours));
        Assert.Contains("none of our sender domains", DmarcReportIntake.KeepOurs(About("mail.salesmind.example", "mail.salesmind.example"), ours));

        // The parent domain's report: only the rows for our sending subdomain count.
        var parent = About("shop.example", "mail.shop.example", "shop.example", null, "mail.shop.example");
        Assert.Null(DmarcReportIntake.KeepOurs(parent, ours));
        Assert.Equal(["192.0.2.1", "192.0.2.4"], parent.Records.Select(r => r.SourceIp));
        Assert.Contains("no rows for mail from our sender domains", DmarcReportIntake.KeepOurs(About("shop.example", "shop.example"), ours));
        Assert.Contains("no rows", DmarcReportIntake.KeepOurs(About("example", "other.example"), ours));
    }

    [Fact]
    public void Outcome_names_are_the_metrics_labels()
    {
        Assert.Equal(["accepted", "duplicate", "foreign_domain", "no_report", "too_large", "bad_archive", "bad_xml", "invalid", "too_many_records", "unreadable"],
            Enum.GetValues<DmarcReportOutcome>().Select(o => o.Name()));
    }
}
