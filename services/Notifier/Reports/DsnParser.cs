using MimeKit;

namespace SalesMind.Notifier.Reports;

/// <summary>One recipient's part of a delivery status notification, with what names the delivery.</summary>
/// <param name="EnvelopeId">Original-Envelope-Id: the delivery id we sent as ENVID.</param>
/// <param name="QueueId">The reporting server's queue id of the original message (Postfix: X-Postfix-Queue-ID).</param>
public sealed record DsnEntry(string? EnvelopeId, string? QueueId, string Action, string? Status, string? Diagnostic, string? RemoteMta, string? FinalRecipient);

/// <summary>Reads RFC 3464 delivery status notifications (multipart/report; report-type=delivery-status).</summary>
public static class DsnParser
{
    /// <summary>Every per-recipient entry of <paramref name="message"/>; empty when it is not a delivery report.</summary>
    public static List<DsnEntry> Parse(MimeMessage message)
    {
        var entries = new List<DsnEntry>();
        if (message.Body is not MultipartReport { ReportType: var type } report
            || !string.Equals(type, "delivery-status", StringComparison.OrdinalIgnoreCase))
        {
            return entries;
        }

        foreach (var status in report.OfType<MessageDeliveryStatus>())
        {
            var groups = status.StatusGroups;
            if (groups.Count < 2)
            {
                continue;
            }

            // The first group describes the message; each further one, a recipient.
            var perMessage = groups[0];
            var envelopeId = perMessage["Original-Envelope-Id"]?.Trim();
            var queueId = perMessage["X-Postfix-Queue-ID"]?.Trim();
            for (var i = 1; i < groups.Count; i++)
            {
                var recipient = groups[i];
                var action = recipient["Action"]?.Trim();
                if (string.IsNullOrEmpty(action))
                {
                    continue;
                }

                entries.Add(new DsnEntry(envelopeId, queueId, action.ToLowerInvariant(), recipient["Status"]?.Trim(),
                    Unfold(recipient["Diagnostic-Code"]), Unfold(recipient["Remote-MTA"]), Unfold(recipient["Final-Recipient"])));
            }
        }

        return entries;
    }

    /// <summary>"smtp; 550 5.1.1 …" → "550 5.1.1 …" (the type prefix says nothing a reader needs).</summary>
    private static string? Unfold(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var text = string.Join(' ', value.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var semicolon = text.IndexOf(';');
        return semicolon is > 0 and < 12 ? text[(semicolon + 1)..].Trim() : text;
    }
}
