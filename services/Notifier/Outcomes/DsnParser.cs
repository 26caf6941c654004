using MimeKit;

namespace SalesMind.Notifier.Outcomes;

/// <summary>One recipient's part of a delivery status notification.</summary>
/// <param name="FinalRecipient">Final-Recipient's address (the type prefix <c>rfc822;</c> removed).</param>
/// <param name="OriginalRecipient">Original-Recipient's address, when the report has one.</param>
public sealed record DsnEntry(string Action, string? Status, string? Diagnostic, string? RemoteMta, string? FinalRecipient, string? OriginalRecipient);

/// <summary>A delivery status notification: what names the message, and one entry per recipient.</summary>
/// <param name="EnvelopeId">Original-Envelope-Id: the delivery id we sent as ENVID.</param>
/// <param name="QueueId">The reporting server's queue id of the original message (Postfix: X-Postfix-Queue-ID).</param>
/// <param name="Problem">Why the report cannot be used as it is (too many parts, more than one status part); null when it can.</param>
public sealed record DsnReport(string? EnvelopeId, string? QueueId, IReadOnlyList<DsnEntry> Entries, string? Problem);

/// <summary>
/// Reads delivery status notifications (multipart/report; report-type=delivery-status): RFC 3464's
/// and RFC 6533's internationalized ones (<c>message/global-delivery-status</c>, addresses typed
/// <c>utf-8</c>, the original's headers as <c>message/global-headers</c>).
/// </summary>
public static partial class DsnParser
{
    /// <summary>
    /// Per-recipient groups read from one report at most. Our emails have one recipient each, so
    /// a real report has one; a report with thousands is someone guessing, and is refused whole.
    /// </summary>
    public const int MaxRecipientGroups = 100;

    /// <summary>The report in <paramref name="message"/>; null when it is not a delivery report.</summary>
    public static DsnReport? Parse(MimeMessage message)
    {
        if (message.Body is not MultipartReport { ReportType: var type } report
            || !string.Equals(type, "delivery-status", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        // RFC 3464's message/delivery-status, or RFC 6533's message/global-delivery-status (UTF-8
        // addresses and text), which MimeKit may or may not give its own class: read alike.
        var parts = report.Where(IsStatusPart).Take(2).ToList();
        if (parts.Count == 0)
        {
            return null;
        }

        if (StatusGroups(parts[0]) is not { } groups)
        {
            return new DsnReport(null, null, [], "the delivery-status part is unreadable");
        }

        if (groups.Count < 2)
        {
            return null;
        }

        // The first group describes the message; each further one, a recipient.
        var perMessage = groups[0];
        var envelopeId = Clean(perMessage["Original-Envelope-Id"])?.Trim();
        var queueId = Clean(perMessage["X-Postfix-Queue-ID"])?.Trim();
        if (parts.Count > 1)
        {
            return new DsnReport(envelopeId, queueId, [], "more than one delivery-status part");
        }

        if (groups.Count - 1 > MaxRecipientGroups)
        {
            // (Read no further than one group past the limit: the count beyond it is unknown.)
            return new DsnReport(envelopeId, queueId, [], $"more than {MaxRecipientGroups} recipient groups");
        }

        var entries = new List<DsnEntry>();
        for (var i = 1; i < groups.Count; i++)
        {
            var recipient = groups[i];
            var action = Clean(recipient["Action"])?.Trim();
            if (string.IsNullOrEmpty(action))
            {
                continue;
            }

            entries.Add(new DsnEntry(action.ToLowerInvariant(), Clean(recipient["Status"])?.Trim(),
                Unfold(recipient["Diagnostic-Code"]), Unfold(recipient["Remote-MTA"]),
                Address(recipient["Final-Recipient"]), Address(recipient["Original-Recipient"])));
        }

        return new DsnReport(envelopeId, queueId, entries, entries.Count == 0 ? "no recipient group with an action" : null);
    }

    private static bool IsStatusPart(MimeEntity part) =>
        part.ContentType.MediaType.Equals("message", StringComparison.OrdinalIgnoreCase)
        && (part.ContentType.MediaSubtype.Equals("delivery-status", StringComparison.OrdinalIgnoreCase)
            || part.ContentType.MediaSubtype.Equals("global-delivery-status", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The part's groups of fields, read from its decoded content (RFC 6533 allows a transfer
    /// encoding for the 8-bit global type); at most one group more than is ever used, so a
    /// guessing report costs little. Null when unreadable.
    /// </summary>
    private static List<HeaderList>? StatusGroups(MimeEntity part)
    {
        if (part is not MimePart { Content: { } content })
        {
            return part is MimePart ? [] : null;
        }

        try
        {
            using var decoded = new MemoryStream();
            content.DecodeTo(decoded);
            decoded.Position = 0;
            var parser = new MimeParser(decoded, MimeFormat.Entity);
            var groups = new List<HeaderList>();
            // Blank lines between groups read as empty groups: skipped, within a bound of their own.
            for (var reads = 0; !parser.IsEndOfStream && groups.Count <= MaxRecipientGroups + 1 && reads < 4 * MaxRecipientGroups; reads++)
            {
                if (parser.ParseHeaders() is { Count: > 0 } fields)
                {
                    groups.Add(fields);
                }
            }

            return groups;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// A field as an outsider may have written it, without control characters other than line
    /// breaks and tabs: a NUL cannot be stored (PostgreSQL refuses it), and a report that cannot
    /// be recorded would be answered "try again later" for ever instead of recorded as rejected.
    /// </summary>
    private static string? Clean(string? value) =>
        value is null || !value.Any(c => char.IsControl(c) && c is not ('\r' or '\n' or '\t'))
            ? value
            : new string(value.Where(c => !char.IsControl(c) || c is '\r' or '\n' or '\t').ToArray());

    /// <summary>"smtp; 550 5.1.1 …" → "550 5.1.1 …" (the type prefix says nothing a reader needs).</summary>
    private static string? Unfold(string? value)
    {
        value = Clean(value);
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var text = string.Join(' ', value.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var semicolon = text.IndexOf(';');
        return semicolon is > 0 and < 12 ? text[(semicolon + 1)..].Trim() : text;
    }

    /// <summary>
    /// "rfc822; a@b.test" → "a@b.test" (angle brackets dropped too); RFC 6533's
    /// "utf-8; 用户@例子.广告" likewise, its <c>\x{HEX}</c> escapes decoded.
    /// </summary>
    private static string? Address(string? value)
    {
        var address = Unfold(value)?.Trim('<', '>', ' ');
        return address is not null && value!.TrimStart().StartsWith("utf-8", StringComparison.OrdinalIgnoreCase) ? Utf8Escapes().Replace(address, Unescape) : address;
    }

    private static string Unescape(System.Text.RegularExpressions.Match m)
    {
        var code = Convert.ToInt32(m.Groups[1].Value, 16);
        // Only a real character: a surrogate or a NUL would make a string that cannot be stored or compared.
        return code is > 0 and <= 0x10FFFF and not (>= 0xD800 and <= 0xDFFF) ? char.ConvertFromUtf32(code) : m.Value;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\\x\{([0-9A-Fa-f]{1,6})\}")]
    private static partial System.Text.RegularExpressions.Regex Utf8Escapes();
}
