using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using MimeKit;

namespace SalesMind.Notifier.DomainHealth;

/// <summary>What became of a mail sent to the DMARC report address (the metric's <c>outcome</c>).</summary>
public enum DmarcReportOutcome
{
    /// <summary>Stored: its rows count in the summary.</summary>
    Accepted,

    /// <summary>The same reporter's report with the same id was stored before (a report mailed twice counts once).</summary>
    Duplicate,

    /// <summary>About a domain we do not send from (anyone can mail the address).</summary>
    ForeignDomain,

    /// <summary>No gzip, zip or XML attachment in the mail.</summary>
    NoReport,

    /// <summary>Larger than <see cref="DmarcReportParser.MaxXmlBytes"/> once decompressed (a zip or gzip bomb).</summary>
    TooLarge,

    /// <summary>A gzip or zip that cannot be read, or a zip that is not exactly one plain <c>.xml</c> file.</summary>
    BadArchive,

    /// <summary>Not well-formed XML, or XML with a DTD (refused: entity expansion and external entities).</summary>
    BadXml,

    /// <summary>Well-formed, but not an RFC 7489 aggregate report: a required field missing or a value out of range (an address, a count, a date).</summary>
    Invalid,

    /// <summary>More rows than <see cref="DmarcReportParser.MaxRecords"/>.</summary>
    TooManyRecords,

    /// <summary>The parser failed in an unforeseen way; the mail is taken and dropped, never retried for ever.</summary>
    Unreadable,
}

public static class DmarcReportOutcomes
{
    /// <summary><c>ForeignDomain</c> → <c>foreign_domain</c>: the name the metric and the log use.</summary>
    public static string Name(this DmarcReportOutcome outcome) => JsonNamingPolicy.SnakeCaseLower.ConvertName(outcome.ToString());
}

/// <summary>A parsed report (not yet stored, <see cref="DmarcReport.ReceivedAt"/> unset), or why there is none.</summary>
public sealed record DmarcParse(DmarcReport? Report, DmarcReportOutcome Outcome, string Detail)
{
    public static DmarcParse Refused(DmarcReportOutcome outcome, string detail) => new(null, outcome, detail);
}

/// <summary>
/// Reads a DMARC aggregate report (RFC 7489 appendix C) out of the mail a receiver sent to the
/// report address: the attachment as gzip (<c>.xml.gz</c>), zip (one <c>.xml</c>) or plain XML.
/// Anyone can mail that address, so everything is hostile until proven otherwise: no DTD (hence no
/// entity expansion or external entity), a cap on the decompressed size (zip and gzip bombs), a
/// zip must hold exactly one plain file name, a cap on the rows, strict addresses and counts. A
/// refusal says why in words a person can act on. Pure: no I/O beyond the bytes given.
/// </summary>
public static partial class DmarcReportParser
{
    /// <summary>The XML, decompressed, may be at most this large (a large receiver's daily report for a busy domain is a few MB).</summary>
    public const int MaxXmlBytes = 20 * 1024 * 1024;

    /// <summary>Rows (<c>record</c>) per report.</summary>
    public const int MaxRecords = 10_000;

    /// <summary>Messages per row: beyond this a count is taken as garbage, not news.</summary>
    public const int MaxCount = 1_000_000_000;

    /// <summary>MIME parts looked at for the attachment.</summary>
    public const int MaxParts = 20;

    private const int MaxName = 200;

    /// <summary>The report in <paramref name="message"/>: its first gzip, zip or XML part.</summary>
    public static DmarcParse Parse(MimeMessage message)
    {
        var looked = 0;
        foreach (var part in message.BodyParts.OfType<MimePart>())
        {
            if (++looked > MaxParts)
            {
                break;
            }

            if (!MightBeReport(part))
            {
                continue;
            }

            using var content = new MemoryStream();
            part.Content?.DecodeTo(content);
            return ParseAttachment(content.ToArray());
        }

        return DmarcParse.Refused(DmarcReportOutcome.NoReport, "the mail has no gzip, zip or XML attachment");
    }

    private static bool MightBeReport(MimePart part)
    {
        var type = part.ContentType.MimeType.ToLowerInvariant();
        var name = (part.FileName ?? part.ContentType.Name ?? "").ToLowerInvariant();
        return type is "application/gzip" or "application/x-gzip" or "application/zip" or "application/x-zip-compressed" or "application/x-zip"
                or "text/xml" or "application/xml"
            || (type is "application/octet-stream" && (name.EndsWith(".gz", StringComparison.Ordinal) || name.EndsWith(".zip", StringComparison.Ordinal)
                || name.EndsWith(".xml", StringComparison.Ordinal)));
    }

    /// <summary>An attachment's bytes, told apart by what they start with (not by the name the sender gave them).</summary>
    public static DmarcParse ParseAttachment(byte[] content)
    {
        if (content is [0x1f, 0x8b, ..])
        {
            return Gunzip(content);
        }

        if (content is [(byte)'P', (byte)'K', 3, 4, ..] or [(byte)'P', (byte)'K', 5, 6, ..])
        {
            return Unzip(content);
        }

        if (content.Length > MaxXmlBytes)
        {
            return TooLarge();
        }

        using var xml = new MemoryStream(content, writable: false);
        return ParseXml(xml);
    }

    private static DmarcParse Gunzip(byte[] content)
    {
        try
        {
            using var gzip = new GZipStream(new MemoryStream(content, writable: false), CompressionMode.Decompress);
            if (ReadCapped(gzip) is not { } xml)
            {
                return TooLarge();
            }

            using var stream = new MemoryStream(xml, writable: false);
            return ParseXml(stream);
        }
        catch (InvalidDataException ex)
        {
            return DmarcParse.Refused(DmarcReportOutcome.BadArchive, $"the gzip attachment cannot be read: {ex.Message}");
        }
    }

    private static DmarcParse Unzip(byte[] content)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(content, writable: false), ZipArchiveMode.Read);
            if (zip.Entries.Count != 1)
            {
                return DmarcParse.Refused(DmarcReportOutcome.BadArchive, $"a zip report holds exactly one .xml file; this one holds {zip.Entries.Count} entries");
            }

            var entry = zip.Entries[0];
            // Never written to disk, but a name with a path in it is no receiver's report (zip slip).
            if (entry.FullName.IndexOfAny(['/', '\\', ':']) >= 0 || entry.FullName.Contains("..", StringComparison.Ordinal)
                || entry.FullName.Any(char.IsControl) || !entry.FullName.EndsWith(".xml", StringComparison.OrdinalIgnoreCase))
            {
                return DmarcParse.Refused(DmarcReportOutcome.BadArchive, "the zip's one entry must be a plain file name ending in .xml, without a path");
            }

            if (entry.Length > MaxXmlBytes)
            {
                return TooLarge();
            }

            using var inflated = entry.Open();
            // The declared length may lie: the cap is enforced on what actually comes out.
            if (ReadCapped(inflated) is not { } xml)
            {
                return TooLarge();
            }

            using var stream = new MemoryStream(xml, writable: false);
            return ParseXml(stream);
        }
        catch (Exception ex) when (ex is InvalidDataException or NotSupportedException or IOException)
        {
            return DmarcParse.Refused(DmarcReportOutcome.BadArchive, $"the zip attachment cannot be read: {ex.Message}");
        }
    }

    /// <summary>All of <paramref name="source"/>, or null once it grows past <see cref="MaxXmlBytes"/> (reading stops there).</summary>
    private static byte[]? ReadCapped(Stream source)
    {
        using var target = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (target.Length + read > MaxXmlBytes)
            {
                return null;
            }

            target.Write(buffer, 0, read);
        }

        return target.ToArray();
    }

    private static DmarcParse TooLarge() =>
        DmarcParse.Refused(DmarcReportOutcome.TooLarge, $"the report is larger than {MaxXmlBytes / (1024 * 1024)} MB once decompressed");

    /// <summary>The report in an XML document (read as a stream: one row at a time is held as a tree).</summary>
    public static DmarcParse ParseXml(Stream xml)
    {
        var settings = new XmlReaderSettings
        {
            // A DTD is where entity bombs and external entities (XXE) live; no report needs one.
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersFromEntities = 1024,
            MaxCharactersInDocument = MaxXmlBytes,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            IgnoreWhitespace = true,
            CloseInput = false,
        };
        try
        {
            using var reader = XmlReader.Create(xml, settings);
            reader.MoveToContent();
            if (reader.NodeType != XmlNodeType.Element || reader.LocalName != "feedback")
            {
                return Invalid($"the document is <{reader.LocalName}>, not a DMARC aggregate report (<feedback>)");
            }

            XElement? metadata = null;
            XElement? policy = null;
            var records = new List<DmarcReportRecord>();
            if (reader.IsEmptyElement)
            {
                return Invalid("the report is empty: report_metadata is missing");
            }

            reader.Read();
            while (!reader.EOF)
            {
                if (reader.NodeType != XmlNodeType.Element || reader.Depth != 1)
                {
                    reader.Read();
                    continue;
                }

                switch (reader.LocalName)
                {
                    case "report_metadata":
                        metadata ??= (XElement)XNode.ReadFrom(reader);
                        continue;
                    case "policy_published":
                        policy ??= (XElement)XNode.ReadFrom(reader);
                        continue;
                    case "record":
                        if (records.Count == MaxRecords)
                        {
                            return DmarcParse.Refused(DmarcReportOutcome.TooManyRecords, $"the report has more than {MaxRecords:N0} rows");
                        }

                        var row = Record((XElement)XNode.ReadFrom(reader), records.Count + 1, out var problem);
                        if (row is null)
                        {
                            return Invalid(problem!);
                        }

                        records.Add(row);
                        continue;
                    default:
                        reader.Skip();
                        continue;
                }
            }

            return Report(metadata, policy, records);
        }
        catch (XmlException ex)
        {
            return DmarcParse.Refused(DmarcReportOutcome.BadXml, $"the report is not well-formed XML without a DTD: {ex.Message}");
        }
    }

    private static DmarcParse Report(XElement? metadata, XElement? policy, List<DmarcReportRecord> records)
    {
        if (metadata is null)
        {
            return Invalid("report_metadata is missing");
        }

        if (policy is null)
        {
            return Invalid("policy_published is missing");
        }

        if (Name(Child(metadata, "org_name")) is not { } org)
        {
            return Invalid($"report_metadata/org_name is missing or longer than {MaxName} characters");
        }

        if (Name(Child(metadata, "report_id")) is not { } reportId)
        {
            return Invalid($"report_metadata/report_id is missing or longer than {MaxName} characters");
        }

        var range = Element(metadata, "date_range");
        if (Time(Child(range, "begin")) is not { } begin || Time(Child(range, "end")) is not { } end || end < begin)
        {
            return Invalid("report_metadata/date_range needs begin and end as seconds since 1970 (2000–2100), begin not after end");
        }

        if (Domain(Child(policy, "domain")) is not { } domain)
        {
            return Invalid("policy_published/domain is missing or not a domain name");
        }

        return new DmarcParse(new DmarcReport
        {
            OrgName = org,
            ReportId = reportId,
            Domain = domain,
            BeginAt = begin,
            EndAt = end,
            Policy = Token(Child(policy, "p")),
            Records = records,
        }, DmarcReportOutcome.Accepted, $"{records.Count} rows from {org} about {domain}");
    }

    private static DmarcReportRecord? Record(XElement record, int number, out string? problem)
    {
        problem = null;
        var row = Element(record, "row");
        var text = Child(row, "source_ip");
        if (SourceIp(text) is not { } ip)
        {
            problem = $"row {number}: source_ip '{Shorten(text)}' is not an IP address";
            return null;
        }

        var countText = Child(row, "count")?.Trim();
        if (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > MaxCount)
        {
            problem = $"row {number}: count '{Shorten(countText)}' is not a whole number from 0 to {MaxCount:N0}";
            return null;
        }

        var evaluated = Element(row, "policy_evaluated");
        return new DmarcReportRecord
        {
            SourceIp = ip,
            Count = count,
            Disposition = Token(Child(evaluated, "disposition")),
            Dkim = Token(Child(evaluated, "dkim")),
            Spf = Token(Child(evaluated, "spf")),
            HeaderFrom = Domain(Child(Element(record, "identifiers"), "header_from")),
        };
    }

    private static XElement? Element(XElement? parent, string name) => parent?.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    private static string? Child(XElement? parent, string name) => Element(parent, name)?.Value;

    /// <summary>A source address as written by a receiver: dotted-quad IPv4 or IPv6, normalised; nothing else (no "1" for 0.0.0.1, no hex, no zone).</summary>
    public static string? SourceIp(string? text)
    {
        text = text?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > 45)
        {
            return null;
        }

        if (!(Ipv4Text().IsMatch(text) || Ipv6Text().IsMatch(text)) || !IPAddress.TryParse(text, out var ip))
        {
            return null;
        }

        if (ip.AddressFamily == AddressFamily.InterNetworkV6 && ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }

        return ip.ToString();
    }

    private static DateTimeOffset? Time(string? text)
    {
        // Whole seconds since 1970; a report from before 2000 or after 2100 is garbage.
        var trimmed = text?.Trim();
        if (!long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds is < 946_684_800 or > 4_102_444_800)
        {
            return null;
        }

        return DateTimeOffset.FromUnixTimeSeconds(seconds);
    }

    /// <summary>A domain name, lower-case, without a trailing dot; null when it is not one.</summary>
    public static string? Domain(string? text)
    {
        var value = text?.Trim().TrimEnd('.').ToLowerInvariant();
        return value is { Length: > 0 and <= 253 } && DomainText().IsMatch(value) ? value : null;
    }

    /// <summary>A result or policy word (pass, fail, none, quarantine, reject, temperror…), lower-case; null when it is not one.</summary>
    private static string? Token(string? text)
    {
        var value = text?.Trim().ToLowerInvariant();
        return value is { Length: > 0 and <= 20 } && TokenText().IsMatch(value) ? value : null;
    }

    private static string? Name(string? text)
    {
        var value = text is null ? null : new string(text.Where(c => !char.IsControl(c)).ToArray()).Trim();
        return value is { Length: > 0 and <= MaxName } ? value : null;
    }

    private static string Shorten(string? text)
    {
        var value = new string((text ?? "").Where(c => !char.IsControl(c)).Take(60).ToArray());
        return text is { Length: > 60 } ? value + "…" : value;
    }

    private static DmarcParse Invalid(string detail) => DmarcParse.Refused(DmarcReportOutcome.Invalid, detail);

    [GeneratedRegex(@"^\d{1,3}(\.\d{1,3}){3}$")]
    private static partial Regex Ipv4Text();

    [GeneratedRegex(@"^[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*$")]
    private static partial Regex Ipv6Text();

    [GeneratedRegex(@"^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)*$")]
    private static partial Regex DomainText();

    [GeneratedRegex(@"^[a-z][a-z_]*$")]
    private static partial Regex TokenText();
}
