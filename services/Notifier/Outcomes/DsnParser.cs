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

/// <summary>Reads RFC 3464 delivery status notifications (multipart/report; report-type=delivery-status).</summary>
public static class DsnParser
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

        var parts = report.OfType<MessageDeliveryStatus>().Take(2).ToList();
        if (parts.Count == 0)
        {
            return null;
        }

        var groups = parts[0].StatusGroups;
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
            return new DsnReport(envelopeId, queueId, [], $"more than {MaxRecipientGroups} recipient groups ({groups.Count - 1})");
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

    /// <summary>"rfc822; a@b.test" → "a@b.test" (angle brackets dropped too).</summary>
    private static string? Address(string? value) => Unfold(value)?.Trim('<', '>', ' ');
}
