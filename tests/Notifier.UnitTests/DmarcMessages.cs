using System.IO.Compression;
using System.Text;
using MimeKit;

namespace SalesMind.Notifier;

/// <summary>
/// DMARC aggregate reports as the large receivers mail them (RFC 7489 appendix C): Google's zip,
/// Microsoft's and Yahoo's gzip, and plain XML. The unit tests parse them; the integration and
/// end-to-end tests, which compile this file too, send them over SMTP.
/// </summary>
internal static class DmarcMessages
{
    /// <summary>One row: mail from <paramref name="SourceIp"/> and how DMARC evaluated it.</summary>
    internal sealed record Row(string SourceIp, int Count, string Disposition, string Dkim, string Spf, string? HeaderFrom = null);

    private static long Seconds(DateTimeOffset at) => at.ToUnixTimeSeconds();

    private static string Rows(string domain, IEnumerable<Row> rows, Func<Row, string> identifiers) => string.Concat(rows.Select(r => $"""
          <record>
            <row>
              <source_ip>{r.SourceIp}</source_ip>
              <count>{r.Count}</count>
              <policy_evaluated>
                <disposition>{r.Disposition}</disposition>
                <dkim>{r.Dkim}</dkim>
                <spf>{r.Spf}</spf>
              </policy_evaluated>
            </row>
            {identifiers(r)}
            <auth_results>
              <dkim>
                <domain>{r.HeaderFrom ?? domain}</domain>
                <result>{r.Dkim}</result>
                <selector>mail</selector>
              </dkim>
              <spf>
                <domain>bounces.{domain}</domain>
                <result>{r.Spf}</result>
              </spf>
            </auth_results>
          </record>

        """));

    /// <summary>Google's report: no namespace, contact details, <c>np</c> in the policy.</summary>
    internal static string GoogleXml(string domain, string reportId, DateTimeOffset begin, DateTimeOffset end, params Row[] rows) => $"""
        <?xml version="1.0" encoding="UTF-8" ?>
        <feedback>
          <report_metadata>
            <org_name>google.com</org_name>
            <email>noreply-dmarc-support@google.com</email>
            <extra_contact_info>https://support.google.com/a/answer/2466580</extra_contact_info>
            <report_id>{reportId}</report_id>
            <date_range>
              <begin>{Seconds(begin)}</begin>
              <end>{Seconds(end)}</end>
            </date_range>
          </report_metadata>
          <policy_published>
            <domain>{domain}</domain>
            <adkim>r</adkim>
            <aspf>r</aspf>
            <p>none</p>
            <sp>none</sp>
            <pct>100</pct>
            <np>none</np>
          </policy_published>
        {Rows(domain, rows, r => $"<identifiers><header_from>{r.HeaderFrom ?? domain}</header_from></identifiers>")}</feedback>
        """;

    /// <summary>Microsoft's (Outlook.com) report: XML Schema namespaces declared, a version, envelope identifiers.</summary>
    internal static string MicrosoftXml(string domain, string reportId, DateTimeOffset begin, DateTimeOffset end, params Row[] rows) => $"""
        <?xml version="1.0"?>
        <feedback xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
          <version>1.0</version>
          <report_metadata>
            <org_name>Enterprise Outlook</org_name>
            <email>dmarcreport@microsoft.com</email>
            <report_id>{reportId}</report_id>
            <date_range>
              <begin>{Seconds(begin)}</begin>
              <end>{Seconds(end)}</end>
            </date_range>
          </report_metadata>
          <policy_published>
            <domain>{domain}</domain>
            <adkim>r</adkim>
            <aspf>r</aspf>
            <p>quarantine</p>
            <sp>quarantine</sp>
            <pct>100</pct>
            <fo>0</fo>
          </policy_published>
        {Rows(domain, rows, r => $"<identifiers><envelope_to>outlook.com</envelope_to><envelope_from>bounces.{domain}</envelope_from><header_from>{r.HeaderFrom ?? domain}</header_from></identifiers>")}</feedback>
        """;

    /// <summary>Yahoo's report: a short org name, a dotted report id.</summary>
    internal static string YahooXml(string domain, string reportId, DateTimeOffset begin, DateTimeOffset end, params Row[] rows) => $"""
        <?xml version="1.0"?>
        <feedback>
          <report_metadata>
            <org_name>Yahoo</org_name>
            <email>dmarchelp@yahooinc.com</email>
            <report_id>{reportId}</report_id>
            <date_range>
              <begin>{Seconds(begin)}</begin>
              <end>{Seconds(end)}</end>
            </date_range>
          </report_metadata>
          <policy_published>
            <domain>{domain}</domain>
            <adkim>r</adkim>
            <aspf>r</aspf>
            <p>reject</p>
            <pct>100</pct>
          </policy_published>
        {Rows(domain, rows, r => $"<identifiers><header_from>{r.HeaderFrom ?? domain}</header_from></identifiers>")}</feedback>
        """;

    internal static byte[] Gzip(string xml)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(xml));
        }

        return output.ToArray();
    }

    /// <summary>A zip holding the given entries (name, contents).</summary>
    internal static byte[] Zip(params (string Name, string Contents)[] entries)
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, contents) in entries)
            {
                using var stream = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                stream.Write(Encoding.UTF8.GetBytes(contents));
            }
        }

        return output.ToArray();
    }

    /// <summary>A report mail as the receivers send it: a short text and the report as an attachment.</summary>
    internal static MimeMessage Mail(string from, string to, string subject, string mimeType, string fileName, byte[] attachment)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        var body = new Multipart("mixed")
        {
            new TextPart("plain") { Text = "This is an aggregate report from " + from + "." },
            new MimePart(mimeType)
            {
                Content = new MimeContent(new MemoryStream(attachment)),
                ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) { FileName = fileName },
                ContentTransferEncoding = ContentEncoding.Base64,
                FileName = fileName,
            },
        };
        message.Body = body;
        return message;
    }

    /// <summary>Google's way: a zip named <c>google.com!domain!begin!end.zip</c>.</summary>
    internal static MimeMessage Google(string to, string domain, string reportId, DateTimeOffset begin, DateTimeOffset end, params Row[] rows)
    {
        var name = $"google.com!{domain}!{Seconds(begin)}!{Seconds(end)}";
        return Mail("noreply-dmarc-support@google.com", to, $"Report domain: {domain} Submitter: google.com Report-ID: {reportId}",
            "application/zip", name + ".zip", Zip((name + ".xml", GoogleXml(domain, reportId, begin, end, rows))));
    }

    /// <summary>Microsoft's way: gzip, <c>.xml.gz</c>, application/gzip.</summary>
    internal static MimeMessage Microsoft(string to, string domain, string reportId, DateTimeOffset begin, DateTimeOffset end, params Row[] rows) =>
        Mail("dmarcreport@microsoft.com", to, $"Report Domain: {domain} Submitter: enterprise.protection.outlook.com Report-ID: <{reportId}>",
            "application/gzip", $"enterprise.protection.outlook.com!{domain}!{Seconds(begin)}!{Seconds(end)}.xml.gz",
            Gzip(MicrosoftXml(domain, reportId, begin, end, rows)));

    /// <summary>Yahoo's way: gzip under a generic type, told by its name.</summary>
    internal static MimeMessage Yahoo(string to, string domain, string reportId, DateTimeOffset begin, DateTimeOffset end, params Row[] rows) =>
        Mail("dmarchelp@yahooinc.com", to, $"Report Domain: {domain} Submitter: yahoo.com Report-ID: <{reportId}>",
            "application/octet-stream", $"yahoo.com!{domain}!{Seconds(begin)}!{Seconds(end)}.xml.gz", Gzip(YahooXml(domain, reportId, begin, end, rows)));

    /// <summary>A small receiver's way: the XML itself, text/xml.</summary>
    internal static MimeMessage Plain(string to, string domain, string reportId, DateTimeOffset begin, DateTimeOffset end, params Row[] rows) =>
        Mail("dmarc-reports@mx.example.org", to, $"Report Domain: {domain} Submitter: mx.example.org Report-ID: {reportId}",
            "text/xml", $"mx.example.org!{domain}!{Seconds(begin)}!{Seconds(end)}.xml",
            Encoding.UTF8.GetBytes(GoogleXml(domain, reportId, begin, end, rows).Replace("google.com", "mx.example.org", StringComparison.Ordinal)));
}
