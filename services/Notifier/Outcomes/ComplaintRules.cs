using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.Outcomes;

/// <summary>The delivery a complaint names, and whether a signed return path proves it.</summary>
/// <param name="Signed">A return path of ours signed for this delivery named it (the envelope, Original-Mail-From or the original's Return-Path), not only its Message-ID.</param>
public sealed record ComplaintTarget(Guid DeliveryId, bool Signed);

/// <summary>
/// Which delivery a feedback-loop report may change, and whether what it says agrees with that
/// delivery. A complaint suppresses an address for years, so the rules are strict: every
/// reference to an email in the report (the address it was sent to, Original-Mail-From, the
/// original's Return-Path, Message-ID and X-SalesMind-Delivery) must name the same delivery of
/// ours, signatures must be ours, and every recipient it names must be that delivery's.
/// </summary>
/// <remarks>
/// What stops a forgery is what only the email's recipient holds: the signed return path (an
/// 80-bit signature) or the delivery's Message-ID (its 74 random bits) from the email itself.
/// A complaint built from an attacker's own email can only name the attacker's own delivery and
/// address; naming anyone else's in its contents gets it rejected whole.
/// </remarks>
public static class ComplaintRules
{
    /// <summary>Feedback types that are a person reporting the email (RFC 5965 and 6650): spam, and phishing or fraud.</summary>
    public static readonly IReadOnlySet<string> ComplaintTypes = new HashSet<string>(StringComparer.Ordinal) { "abuse", "fraud" };

    /// <summary>The local part that marks an address a reporter has hidden (AOL-style <c>redacted@aol.com</c>).</summary>
    public const string RedactedLocalPart = "redacted";

    /// <summary>The delivery <paramref name="report"/> names, or why it names none that it may change.</summary>
    /// <param name="envelopeRecipients">The complaint's RCPT TO addresses.</param>
    /// <param name="messageIdDomain">The domain of our Message-IDs (<c>&lt;{delivery id:N}@domain&gt;</c>).</param>
    public static (ComplaintTarget? Target, (ReportRejection Reason, string Detail)? Rejection) Identify(
        ArfReport report, IReadOnlyList<string> envelopeRecipients, BounceOptions bounces, string messageIdDomain)
    {
        if (report.Problem is { } problem)
        {
            return (null, (ReportRejection.Malformed, problem));
        }

        var named = new List<(Guid Id, string Where)>();
        var signed = new HashSet<Guid>();
        var complaintAddress = $"{bounces.ComplaintAddress}@{bounces.Domain}";
        var addressed = false;
        foreach (var recipient in envelopeRecipients)
        {
            switch (bounces.Check(recipient, out var id))
            {
                case ReturnPathCheck.Signed:
                    named.Add((id, "the envelope recipient"));
                    signed.Add(id);
                    addressed = true;
                    break;
                case ReturnPathCheck.BadSignature:
                    return (null, (ReportRejection.BadSignature, $"sent to {ReportRules.Clip(recipient)}, whose signature is not ours"));
                case ReturnPathCheck.Unsigned when string.Equals(recipient, complaintAddress, StringComparison.OrdinalIgnoreCase):
                    addressed = true;
                    break;
            }
        }

        if (!addressed)
        {
            return (null, (ReportRejection.Unsigned,
                $"sent to {ReportRules.Clip(string.Join(", ", envelopeRecipients))}: complaints count only at {complaintAddress} or a delivery's signed return path"));
        }

        IEnumerable<(string Where, string Value)> returnPaths = report.ReturnPaths.Select(p => ("Return-Path", p));
        if (report.OriginalMailFrom is { } mailFrom)
        {
            returnPaths = returnPaths.Prepend(("Original-Mail-From", mailFrom));
        }

        foreach (var (where, path) in returnPaths)
        {
            switch (bounces.Check(path, out var id))
            {
                case ReturnPathCheck.Signed:
                    named.Add((id, where));
                    signed.Add(id);
                    break;
                case ReturnPathCheck.BadSignature:
                    return (null, (ReportRejection.BadSignature, $"the original's {where} {ReportRules.Clip(path)} is not signed by us"));
                default:
                    return (null, (ReportRejection.ReferenceMismatch, $"the original's {where} <{ReportRules.Clip(path)}> is not a return path of ours"));
            }
        }

        foreach (var messageId in report.MessageIds)
        {
            if (OurMessageId(messageId, messageIdDomain) is not { } id)
            {
                return (null, (ReportRejection.ReferenceMismatch, $"the original's Message-ID <{ReportRules.Clip(messageId)}> is not one of ours"));
            }

            named.Add((id, "Message-ID"));
        }

        foreach (var header in report.DeliveryIds)
        {
            if (!Guid.TryParse(header, out var id))
            {
                return (null, (ReportRejection.ReferenceMismatch, $"the original's X-SalesMind-Delivery {ReportRules.Clip(header)} is not a delivery id"));
            }

            named.Add((id, "X-SalesMind-Delivery"));
        }

        var ids = named.Select(n => n.Id).Distinct().ToList();
        if (ids.Count == 0)
        {
            return (null, (ReportRejection.Unmatched, "names no email of ours: no signed return path and no Message-ID of ours"));
        }

        if (ids.Count > 1)
        {
            var first = named[0];
            var other = named.First(n => n.Id != first.Id);
            return (null, (ReportRejection.ReferenceMismatch, $"{first.Where} names delivery {first.Id}, {other.Where} names delivery {other.Id}"));
        }

        return (new ComplaintTarget(ids[0], signed.Contains(ids[0])), null);
    }

    /// <summary>Whether what the complaint says about the email agrees with the delivery it names (null: it does).</summary>
    public static (ReportRejection Reason, string Detail)? Disagreement(DeliveryFacts delivery, ArfReport report)
    {
        if (!ComplaintTypes.Contains(report.FeedbackType))
        {
            return (ReportRejection.NotAComplaint, $"Feedback-Type {ReportRules.Clip(report.FeedbackType)} is not a complaint (only {string.Join(", ", ComplaintTypes)})");
        }

        var claimed = report.OriginalRcptTo.Concat(report.Recipients).ToList();
        if (claimed.Count == 0)
        {
            return (ReportRejection.RecipientMismatch, "names no recipient (no Original-Rcpt-To, no To in the original)");
        }

        foreach (var address in claimed)
        {
            if (!ReportRules.SameAddress(address, delivery.Recipient) && !Redacted(address, delivery.Recipient))
            {
                return (ReportRejection.RecipientMismatch, $"{ReportRules.Clip(address)} is not the delivery's recipient");
            }
        }

        return null;
    }

    /// <summary>The delivery id in <c>{id:N}@{domain}</c>, when the domain is ours.</summary>
    public static Guid? OurMessageId(string messageId, string messageIdDomain)
    {
        var at = messageId.LastIndexOf('@');
        return at > 0 && string.Equals(messageId[(at + 1)..], messageIdDomain, StringComparison.OrdinalIgnoreCase)
            && Guid.TryParseExact(messageId[..at], "N", out var id)
                ? id
                : null;
    }

    /// <summary>A hidden address (<c>redacted@domain</c>) agrees with a recipient at the same domain.</summary>
    private static bool Redacted(string address, string recipient)
    {
        var at = address.LastIndexOf('@');
        var recipientAt = recipient.LastIndexOf('@');
        return at > 0 && recipientAt > 0
            && string.Equals(address[..at], RedactedLocalPart, StringComparison.OrdinalIgnoreCase)
            && ReportRules.SameAddress($"x@{address[(at + 1)..]}", $"x@{recipient[(recipientAt + 1)..]}");
    }
}
