using System.Text.RegularExpressions;

namespace SalesMind.Notifier.Ledger;

/// <summary>
/// What kind of failure a refusal, deferral or bounce is, from the SMTP reply code, the enhanced
/// status code (RFC 3463) and the reply or diagnostic text. Pure: the same input always gives the
/// same class, so the table is unit-tested with replies as real receivers word them.
/// <para>
/// The rules, first match wins (text is matched case-insensitively):
/// </para>
/// <list type="number">
/// <item><b>auth</b>: status X.7.20–X.7.27 (DKIM 20–22, SPF 23–24, reverse DNS 25, "multiple
/// authentication checks failed" / DMARC 26, null-MX sender 27), Gmail's X.7.30 (DKIM) and X.7.32
/// (DMARC alignment), X.1.7 / X.1.8 or an X.1.x "Sender address rejected" (the <i>sender's</i> address or domain is refused), or text
/// naming DMARC, SPF, DKIM, "unauthenticated" or "authentication" when the status is an X.7.x
/// one or missing. The sender's setup is at fault, whatever the reply code: checked first, so
/// Gmail's "421-4.7.26 … rate limited because … unauthenticated" is an auth problem, not a throttle.</item>
/// <item><b>throttled</b> (throttled or blocked by the receiver's policy): reply code 421 (but not
/// 421 4.4.2, a session closed for idling), any
/// other X.7.x status (4.7.0 Yahoo's "[TSS04] … deferred due to user complaints", Gmail's 4.7.28,
/// greylisting's 450 4.7.1, 5.7.1 "… blocked using Spamhaus", Outlook's 5.7.708), or text
/// saying so ("too many connections", "rate limit(ed)", "throttl", "blocked", "block list",
/// "reputation", "spam", "policy", "greylist", "connection frequency", "temporarily deferred",
/// and "try again later" on a 4xx) — unless the status is about the address or mailbox (X.1.x,
/// X.2.x), which the receiver knows better than its wording. Postal #1415: a 421 is never hard.</item>
/// <item><b>hard</b> (the address or its domain does not exist), only for a permanent failure
/// (5xx / 5.x.x): status 5.1.x (5.1.0, 5.1.1 unknown user, 5.1.2 bad domain, 5.1.3 bad syntax,
/// 5.1.6 moved, 5.1.10 null MX), 5.2.1 (account disabled), 5.4.4 (no such host or domain: Postal
/// #3417, a missing domain is not worth 18 tries), Exchange Online's 5.4.1 "Recipient address
/// rejected: Access denied" (no such recipient), or text such as "user unknown", "no such user",
/// "unknown recipient", "mailbox not found", "does not exist", "host or domain name not found".</item>
/// <item><b>soft</b> (the mailbox exists but cannot take mail now): X.2.2 mailbox full (4.2.2
/// and 5.2.2 alike), other X.2.x, text like "mailbox full" / "over quota", and any other 4xx or
/// 4.x.x.</item>
/// <item><b>unknown</b>: nothing matched (e.g. "554 5.0.0 transaction failed", or a connection
/// error with no reply at all).</item>
/// </list>
/// A delivery that expired in the mail server's queue (X.4.7) says only that retries ran out;
/// <see cref="ForReport"/> keeps the class of the deferrals that led there.
/// </summary>
public static partial class FailureClassifier
{
    /// <summary>The class of one failure; missing parts are read from the text when it starts with them ("550 5.1.1 …").</summary>
    /// <param name="replyCode">The SMTP reply code (e.g. 421, 550), when known.</param>
    /// <param name="enhancedStatus">The enhanced status code (e.g. <c>5.7.26</c>), when known.</param>
    /// <param name="text">The reply or diagnostic text.</param>
    public static FailureClass Classify(int? replyCode, string? enhancedStatus, string? text)
    {
        text ??= "";
        var code = replyCode ?? ReplyCodeIn(text);
        var status = EnhancedStatus.Parse(enhancedStatus) ?? EnhancedStatus.Find(text);
        // Permanent or temporary: the enhanced status says it when there is one, else the reply code.
        var codeClass = status?.Class ?? code / 100;

        if (IsAuth(status, text))
        {
            return FailureClass.Auth;
        }

        if (IsThrottled(code, status, text))
        {
            return FailureClass.Throttled;
        }

        if (codeClass == 5 && IsHard(status, text))
        {
            return FailureClass.Hard;
        }

        if (status is { Subject: 2 } || MailboxFull().IsMatch(text) || codeClass == 4)
        {
            return FailureClass.Soft;
        }

        return FailureClass.Unknown;
    }

    /// <summary>
    /// The class of a failed or delayed report. An expiry (X.4.7: retries ran out in the mail
    /// server's queue) says nothing about why; the delivery keeps the class its deferrals had
    /// (<paramref name="earlier"/>), or is soft when none is known.
    /// </summary>
    public static FailureClass ForReport(string? enhancedStatus, string? diagnostic, FailureClass? earlier)
    {
        var status = EnhancedStatus.Parse(enhancedStatus);
        if (status is { Subject: 4, Detail: 7 })
        {
            return earlier ?? FailureClass.Soft;
        }

        return Classify(null, enhancedStatus, diagnostic);
    }

    private static bool IsAuth(EnhancedStatus? status, string text)
    {
        if (status is { Subject: 7, Detail: (>= 20 and <= 27) or 30 or 32 } or { Subject: 1, Detail: 7 or 8 })
        {
            return true;
        }

        if (status is { Subject: 1 } && SenderRejected().IsMatch(text))
        {
            // An address status about our return path, not the recipient ("Sender address rejected: …").
            return true;
        }

        return (status is null || status.Value.Subject == 7) && AuthText().IsMatch(text);
    }

    private static bool IsThrottled(int code, EnhancedStatus? status, string text)
    {
        // A 421 closing an idle or broken session (4.4.2 "timeout exceeded") is the connection's, not a policy.
        if ((code == 421 && status is not { Subject: 4, Detail: 2 }) || status is { Subject: 7 })
        {
            return true;
        }

        if (status is { Subject: 1 or 2 })
        {
            // The receiver said what is wrong with the address or mailbox; its wording does not override that.
            return false;
        }

        var temporary = (status?.Class ?? code / 100) == 4;
        return PolicyText().IsMatch(text) || (temporary && TryLater().IsMatch(text));
    }

    private static bool IsHard(EnhancedStatus? status, string text) =>
        status switch
        {
            { Subject: 1 } => true,
            { Subject: 2, Detail: 1 } => true,
            { Subject: 4, Detail: 4 } => true,
            { Subject: 4, Detail: 1 } when RecipientRejected().IsMatch(text) => true,
            _ => NoSuchAddress().IsMatch(text),
        };

    /// <summary>"550 …", "smtp; 550-5.7.26 …", "host … said: 421 4.7.0 …": the reply code a text starts with (0 when none).</summary>
    private static int ReplyCodeIn(string text)
    {
        var match = LeadingCode().Match(text);
        return match.Success ? int.Parse(match.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>An RFC 3463 enhanced status code: class.subject.detail.</summary>
    private readonly record struct EnhancedStatus(int Class, int Subject, int Detail)
    {
        public static EnhancedStatus? Parse(string? value) =>
            value is null ? null : Exact().Match(value.Trim()) is { Success: true } m ? From(m) : null;

        /// <summary>The first code in a text ("… 550-5.7.26 …", "host said: 552 5.2.2 …").</summary>
        public static EnhancedStatus? Find(string text) => Anywhere().Match(text) is { Success: true } m ? From(m) : null;

        private static EnhancedStatus From(Match m) => new(
            m.Groups[1].ValueSpan[0] - '0',
            int.Parse(m.Groups[2].ValueSpan, System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(m.Groups[3].ValueSpan, System.Globalization.CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^([245])\.(\d{1,3})\.(\d{1,3})$")]
    private static partial Regex Exact();

    [GeneratedRegex(@"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.]*\d)")]
    private static partial Regex Anywhere();

    [GeneratedRegex(@"^\s*(?:[a-z-]+;\s*)?(?:.*?\bsaid:\s*)?([245]\d\d)(?:[ -]|$)", RegexOptions.IgnoreCase)]
    private static partial Regex LeadingCode();

    [GeneratedRegex(@"\b(dmarc|spf|dkim|unauthenticated|not authenticated|authentication)\b", RegexOptions.IgnoreCase)]
    private static partial Regex AuthText();

    [GeneratedRegex(@"too many (connections|messages|recipients|concurrent)|rate[ -]?limit|throttl|connection frequency|blocked|block ?list|black ?list|spamhaus|spamcop|barracuda|reputation|unsolicited|\bspam\b|\bpolicy\b|grey ?list|gray ?list|temporarily deferred|deferred due to|unexpected volume|user complaints",
        RegexOptions.IgnoreCase)]
    private static partial Regex PolicyText();

    [GeneratedRegex(@"try again later|please retry later|retry later", RegexOptions.IgnoreCase)]
    private static partial Regex TryLater();

    [GeneratedRegex(@"user unknown|unknown user|no such (user|mailbox|recipient|address)|unknown (recipient|mailbox|address)|recipient (unknown|not found)|mailbox (not found|unavailable|does not exist)|does ?n[o']t exist|invalid (recipient|mailbox)|address rejected: user|doesn'?t have an? \S+ account|account (has been )?disabled|host or domain name not found|domain (not found|does not exist)|null mx|no mx",
        RegexOptions.IgnoreCase)]
    private static partial Regex NoSuchAddress();

    [GeneratedRegex(@"sender address rejected", RegexOptions.IgnoreCase)]
    private static partial Regex SenderRejected();

    [GeneratedRegex(@"recipient address rejected", RegexOptions.IgnoreCase)]
    private static partial Regex RecipientRejected();

    [GeneratedRegex(@"mailbox (is )?full|over ?quota|quota exceeded|exceeded (the )?(storage|quota)|out of storage|insufficient (system )?storage|mailbox size limit", RegexOptions.IgnoreCase)]
    private static partial Regex MailboxFull();
}
