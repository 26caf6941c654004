using MimeKit;

namespace SalesMind.Notifier.Outcomes;

/// <summary>
/// A feedback-loop report (ARF, RFC 5965) as claimed by whoever sent it: what the report part
/// says and what the attached original (or its headers) shows. Nothing here is proven; see
/// <see cref="ComplaintRules"/> for what it may change.
/// </summary>
/// <param name="FeedbackType">Feedback-Type in lower case: <c>abuse</c>, <c>fraud</c>, <c>not-spam</c>, <c>auth-failure</c>, …</param>
/// <param name="UserAgent">User-Agent: the reporting program, e.g. <c>Yahoo!-Mail-Feedback/2.0</c>.</param>
/// <param name="OriginalMailFrom">Original-Mail-From: the original's envelope sender (our signed return path, if it was ours).</param>
/// <param name="OriginalRcptTo">Original-Rcpt-To: the original's envelope recipients.</param>
/// <param name="ReturnPaths">The original's Return-Path headers.</param>
/// <param name="MessageIds">The original's Message-ID headers (without angle brackets).</param>
/// <param name="DeliveryIds">The original's <c>X-SalesMind-Delivery</c> headers.</param>
/// <param name="Recipients">The original's To and Cc addresses and Microsoft's <c>X-HmXmrOriginalRecipient</c>.</param>
/// <param name="Problem">Why the report cannot be used as it is (too large, several report parts, unreadable); null when it can.</param>
public sealed record ArfReport(
    string FeedbackType,
    string? UserAgent,
    string? SourceIp,
    string? OriginalMailFrom,
    IReadOnlyList<string> OriginalRcptTo,
    IReadOnlyList<string> ReturnPaths,
    IReadOnlyList<string> MessageIds,
    IReadOnlyList<string> DeliveryIds,
    IReadOnlyList<string> Recipients,
    string? Problem)
{
    /// <summary>A report that is refused unread, keeping what little was read.</summary>
    internal static ArfReport Refused(string problem, string feedbackType = "", string? userAgent = null) =>
        new(feedbackType, userAgent, null, null, [], [], [], [], [], problem);
}

/// <summary>
/// Reads feedback-loop reports (<c>multipart/report; report-type=feedback-report</c>, RFC 5965):
/// a <c>message/feedback-report</c> part and the original as <c>message/rfc822</c>,
/// <c>message/global</c>, <c>text/rfc822-headers</c> or <c>message/global-headers</c>. Written for
/// hostile input: every count and length is capped, transfer encodings are decoded within a
/// limit, and an unreadable part makes a report with a <see cref="ArfReport.Problem"/>, never an
/// exception.
/// </summary>
public static class ArfParser
{
    /// <summary>Parts of one report looked at; a real one has two or three.</summary>
    public const int MaxParts = 10;

    /// <summary>Recipient fields (Original-Rcpt-To, To, Cc) read; a complaint is about one email to one person.</summary>
    public const int MaxRecipients = 10;

    /// <summary>Fields of the feedback-report part read; RFC 5965 defines about fifteen.</summary>
    public const int MaxFields = 100;

    /// <summary>Decoded bytes read from the feedback-report part.</summary>
    private const int MaxReportPartBytes = 64 * 1024;

    /// <summary>Decoded bytes read from a transfer-encoded original (only its headers are used).</summary>
    private const int MaxOriginalBytes = 512 * 1024;

    /// <summary>Characters kept of any one claimed value.</summary>
    private const int MaxValue = 320;

    /// <summary>The report in <paramref name="message"/>; null when it is not a feedback report.</summary>
    public static ArfReport? Parse(MimeMessage message)
    {
        if (message.Body is not MultipartReport { ReportType: var type } report
            || !string.Equals(type?.Trim(), "feedback-report", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (report.Count > MaxParts)
        {
            return ArfReport.Refused($"more than {MaxParts} parts ({report.Count})");
        }

        var feedbackParts = report.Where(p => Is(p, "message", "feedback-report")).ToList();
        if (feedbackParts.Count == 0)
        {
            return ArfReport.Refused("no message/feedback-report part");
        }

        if (feedbackParts.Count > 1)
        {
            return ArfReport.Refused("more than one message/feedback-report part");
        }

        if (ReadFields(feedbackParts[0]) is not { } fields)
        {
            return ArfReport.Refused("the message/feedback-report part is unreadable");
        }

        var feedbackType = Clip(Clean(fields["Feedback-Type"]))?.ToLowerInvariant() ?? "";
        var userAgent = Clip(Clean(fields["User-Agent"]));
        if (fields.Count > MaxFields)
        {
            return ArfReport.Refused($"more than {MaxFields} feedback fields", feedbackType, userAgent);
        }

        if (feedbackType.Length == 0)
        {
            return ArfReport.Refused("no Feedback-Type", feedbackType, userAgent);
        }

        var mailFrom = fields.Where(h => h.Field.Equals("Original-Mail-From", StringComparison.OrdinalIgnoreCase)).ToList();
        var rcptTo = fields.Where(h => h.Field.Equals("Original-Rcpt-To", StringComparison.OrdinalIgnoreCase))
            .Select(h => Address(h.Value)).OfType<string>().ToList();
        if (mailFrom.Count > 1)
        {
            return ArfReport.Refused("more than one Original-Mail-From", feedbackType, userAgent);
        }

        if (rcptTo.Count > MaxRecipients)
        {
            return ArfReport.Refused($"more than {MaxRecipients} Original-Rcpt-To fields", feedbackType, userAgent);
        }

        var originals = report.Where(IsOriginal).ToList();
        if (originals.Count > 1)
        {
            return ArfReport.Refused("more than one original message", feedbackType, userAgent);
        }

        var headers = originals.Count == 0 ? new HeaderList() : ReadOriginalHeaders(originals[0]);
        if (headers is null)
        {
            return ArfReport.Refused("the original message is unreadable", feedbackType, userAgent);
        }

        var recipients = new List<string>();
        foreach (var header in headers)
        {
            if (header.Field.Equals("To", StringComparison.OrdinalIgnoreCase) || header.Field.Equals("Cc", StringComparison.OrdinalIgnoreCase))
            {
                if (!InternetAddressList.TryParse(Clean(header.Value) ?? "", out var list))
                {
                    return ArfReport.Refused($"the original's {header.Field} header is unreadable", feedbackType, userAgent);
                }

                recipients.AddRange(list.Mailboxes.Take(MaxRecipients + 1).Select(m => Clip(m.Address)!));
            }
            else if (header.Field.Equals("X-HmXmrOriginalRecipient", StringComparison.OrdinalIgnoreCase) && Address(header.Value) is { } original)
            {
                recipients.Add(original);
            }

            if (recipients.Count > MaxRecipients)
            {
                return ArfReport.Refused($"more than {MaxRecipients} recipients in the original", feedbackType, userAgent);
            }
        }

        return new ArfReport(
            feedbackType,
            userAgent,
            Clip(Clean(fields["Source-IP"])?.Trim()),
            mailFrom.Count == 0 ? null : Address(mailFrom[0].Value) ?? "",
            rcptTo,
            Values(headers, "Return-Path").Select(v => Address(v) ?? "").ToList(),
            Values(headers, "Message-ID").Select(v => v.Trim().Trim('<', '>').Trim()).ToList(),
            Values(headers, "X-SalesMind-Delivery").Select(v => v.Trim()).ToList(),
            recipients,
            null);
    }

    private static bool Is(MimeEntity part, string mediaType, string subtype) =>
        part.ContentType.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase)
        && part.ContentType.MediaSubtype.Equals(subtype, StringComparison.OrdinalIgnoreCase);

    private static bool IsOriginal(MimeEntity part) =>
        Is(part, "message", "rfc822") || Is(part, "message", "global") || Is(part, "text", "rfc822-headers") || Is(part, "message", "global-headers");

    /// <summary>The feedback-report fields, decoded from any transfer encoding; null when unreadable.</summary>
    private static HeaderList? ReadFields(MimeEntity part)
    {
        if (part is not MimePart { Content: { } content })
        {
            return part is MimePart ? [] : null;
        }

        try
        {
            using var decoded = Decode(content, MaxReportPartBytes);
            return decoded is null ? null : HeaderList.Load(decoded);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The original's headers (all that is used of it); null when unreadable.</summary>
    private static HeaderList? ReadOriginalHeaders(MimeEntity part)
    {
        // Parsed by MimeKit already: message/rfc822, message/global, and the header-only types
        // (TextRfc822Headers is a MessagePart) when they were not transfer-encoded.
        if (part is MessagePart { Message: { } message })
        {
            return message.Headers;
        }

        // Transfer-encoded (which RFC 2046 forbids for message/rfc822, and some reporters do anyway): decode, then read.
        if (part is MimePart { Content: { } content })
        {
            try
            {
                using var decoded = Decode(content, MaxOriginalBytes);
                return decoded is null ? null : HeaderList.Load(decoded);
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return part is MimePart ? [] : null;
    }

    /// <summary>The decoded content, or null when it is longer than <paramref name="max"/> bytes.</summary>
    private static MemoryStream? Decode(IMimeContent content, int max)
    {
        var buffer = new MemoryStream();
        using (var limited = new LimitedStream(buffer, max))
        {
            try
            {
                content.DecodeTo(limited);
            }
            catch (LimitExceededException)
            {
                return null;
            }
        }

        buffer.Position = 0;
        return buffer;
    }

    private static IEnumerable<string> Values(HeaderList headers, string field) =>
        headers.Where(h => h.Field.Equals(field, StringComparison.OrdinalIgnoreCase)).Take(MaxRecipients + 1)
            .Select(h => Clip(Clean(h.Value)) ?? "");

    /// <summary>"rfc822; &lt;a@b.test&gt;" or "&lt;a@b.test&gt;" → "a@b.test".</summary>
    private static string? Address(string? value)
    {
        value = Clean(value)?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        var semicolon = value.IndexOf(';');
        if (semicolon is > 0 and < 12 && !value[..semicolon].Contains('@'))
        {
            value = value[(semicolon + 1)..].Trim();
        }

        return Clip(value.Trim('<', '>', ' ', '\t'));
    }

    /// <summary>Without control characters (a NUL cannot be stored) and without folding.</summary>
    private static string? Clean(string? value) =>
        value is null ? null : string.Join(' ', new string(value.Select(c => char.IsControl(c) ? ' ' : c).ToArray())
            .Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static string? Clip(string? value) => value is { Length: > MaxValue } v ? v[..MaxValue] : value is { Length: 0 } ? null : value;

    /// <summary>A write-only stream that refuses more than a given number of bytes.</summary>
    private sealed class LimitedStream(Stream inner, int max) : Stream
    {
        private long _written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _written;

        public override long Position { get => _written; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            _written += count;
            if (_written > max)
            {
                throw new LimitExceededException();
            }

            inner.Write(buffer, offset, count);
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            // The caller keeps the inner stream.
        }
    }

    private sealed class LimitExceededException : Exception;
}
