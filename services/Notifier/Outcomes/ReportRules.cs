using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.Outcomes;

/// <summary>What the ledger knows of the delivery a signed return path names.</summary>
public sealed record DeliveryFacts(Guid Id, string? QueueId, string Recipient, DeliveryStatus Status);

/// <summary>
/// Whether a report agrees with the delivery its signed return path names. The return path is
/// the proof; what the report says inside must not point anywhere else, or it is rejected whole.
/// </summary>
/// <remarks>
/// Missing fields are tolerated only where a real reporter omits them: Original-Envelope-Id
/// (a remote server that was not given our ENVID cannot echo it) and X-Postfix-Queue-ID (only
/// Postfix writes it). Final-Recipient is required by RFC 3464 and Postfix always writes it; it
/// (or Original-Recipient, for a remote server that rewrote the address) must be the delivery's
/// address. A queue id that is present must be ours: a further hop's Postfix that reports with
/// its own queue id is rejected too (visible to operators), the price of one strict rule.
/// </remarks>
public static class ReportRules
{
    public static (ReportRejection Reason, string Detail)? Disagreement(DeliveryFacts delivery, DsnReport report)
    {
        if (report.Problem is { } problem)
        {
            return (ReportRejection.Malformed, problem);
        }

        if (report.EnvelopeId is { Length: > 0 } envelopeId && !(Guid.TryParse(envelopeId, out var named) && named == delivery.Id))
        {
            return (ReportRejection.EnvelopeIdMismatch, $"Original-Envelope-Id {Clip(envelopeId)} is not delivery {delivery.Id}");
        }

        if (report.QueueId is { Length: > 0 } queueId && !string.Equals(queueId, delivery.QueueId, StringComparison.Ordinal))
        {
            return (ReportRejection.QueueIdMismatch, $"X-Postfix-Queue-ID {Clip(queueId)} is not the delivery's queue id");
        }

        foreach (var entry in report.Entries)
        {
            if (entry.FinalRecipient is null)
            {
                return (ReportRejection.RecipientMismatch, "a recipient group has no Final-Recipient");
            }

            if (!SameAddress(entry.FinalRecipient, delivery.Recipient) && !SameAddress(entry.OriginalRecipient, delivery.Recipient))
            {
                return (ReportRejection.RecipientMismatch, $"Final-Recipient {Clip(entry.FinalRecipient)} is not the delivery's recipient");
            }
        }

        return null;
    }

    /// <summary>
    /// The same mailbox, ignoring case, and a domain written in Unicode or in its ASCII form
    /// (RFC 6533 reports name <c>用户@例子.广告</c> where another report says <c>xn--fsqu00a.xn--4rr70v</c>).
    /// </summary>
    internal static bool SameAddress(string? reported, string recipient)
    {
        if (reported is null)
        {
            return false;
        }

        reported = reported.Trim();
        recipient = recipient.Trim();
        if (string.Equals(reported, recipient, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var at = reported.LastIndexOf('@');
        var recipientAt = recipient.LastIndexOf('@');
        return at > 0 && recipientAt > 0
            && string.Equals(reported[..at], recipient[..recipientAt], StringComparison.OrdinalIgnoreCase)
            && AsciiDomain(reported[(at + 1)..]) is { } domain
            && string.Equals(domain, AsciiDomain(recipient[(recipientAt + 1)..]), StringComparison.OrdinalIgnoreCase);
    }

    private static string? AsciiDomain(string domain)
    {
        try
        {
            return new System.Globalization.IdnMapping().GetAscii(domain);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Claimed values are an outsider's text: kept short wherever they are shown.</summary>
    internal static string Clip(string value, int max = 100) => value.Length > max ? value[..max] + "…" : value;
}
