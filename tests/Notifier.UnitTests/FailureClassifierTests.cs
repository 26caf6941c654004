using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.UnitTests;

/// <summary>
/// The failure classes of replies as receivers really word them (SMTP replies at submission,
/// a report's status and diagnostic, the mail log's dsn= and text), and what each class does.
/// </summary>
public sealed class FailureClassifierTests
{
    [Theory]
    // Unknown users and domains: the address is wrong, for good.
    [InlineData(550, null, "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos", FailureClass.Hard)]
    [InlineData(550, null, "550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in virtual mailbox table", FailureClass.Hard)]
    [InlineData(550, null, "550 5.1.0 Address rejected.", FailureClass.Hard)]
    [InlineData(550, null, "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup", FailureClass.Hard)]
    [InlineData(null, "5.1.2", "bad destination domain", FailureClass.Hard)]
    [InlineData(556, null, "556 5.1.10 Recipient address has null MX", FailureClass.Hard)]
    [InlineData(550, null, "550 user unknown", FailureClass.Hard)]
    [InlineData(550, null, "550 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550", FailureClass.Hard)]
    [InlineData(550, null, "550 Requested action not taken: mailbox unavailable", FailureClass.Hard)]
    [InlineData(550, null, "550 No such user here", FailureClass.Hard)]
    [InlineData(554, null, "554 delivery error: dd This user doesn't have a yahoo.com account (nobody@yahoo.com) [0] - mta1234.mail.ne1.yahoo.com", FailureClass.Hard)]
    [InlineData(550, null, "550-5.2.1 The email account that you tried to reach is disabled.", FailureClass.Hard)]
    [InlineData(550, null, "550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [DB5EUR03FT012.eop-EUR03.prod.protection.outlook.com]", FailureClass.Hard)]
    // Postal #3417: a domain that does not exist is not worth 18 tries.
    [InlineData(null, "5.4.4", "Host or domain name not found. Name service error for name=nodnsdomain12345.com type=A: Host not found", FailureClass.Hard)]
    [InlineData(null, "5.1.1", "host mx.example.com[192.0.2.1] said: 550 5.1.1 <gone@example.com>: Recipient address rejected (in reply to RCPT TO command)", FailureClass.Hard)]
    [InlineData(null, "5.1.1", "simulated hard bounce", FailureClass.Hard)]
    // A full mailbox exists: soft, permanent code or not.
    [InlineData(452, null, "452-4.2.2 The recipient's inbox is out of storage space. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaTemp", FailureClass.Soft)]
    [InlineData(552, null, "552 5.2.2 Mailbox full", FailureClass.Soft)]
    [InlineData(null, "5.2.2", "mailbox full", FailureClass.Soft)]
    [InlineData(null, "4.2.2", "mailbox full", FailureClass.Soft)]
    [InlineData(552, null, "552 Requested mail action aborted: exceeded storage allocation, quota exceeded", FailureClass.Soft)]
    [InlineData(450, null, "450 4.2.0 simulated temporary refusal", FailureClass.Soft)]
    [InlineData(451, null, "451 4.3.0 Temporary lookup failure", FailureClass.Soft)]
    [InlineData(null, "4.4.1", "simulated deferral", FailureClass.Soft)]
    [InlineData(null, "4.4.3", "Host or domain name not found. Name service error for name=example.com type=MX: Host not found, try again", FailureClass.Soft)]
    [InlineData(null, "4.4.1", "connect to mx.example.com[192.0.2.1]:25: Connection refused", FailureClass.Soft)]
    [InlineData(421, null, "421 4.4.2 mail.salesmind.test Error: timeout exceeded", FailureClass.Soft)]
    // Throttled or blocked by the receiver's policy. Postal #1415: a 421 is never hard.
    [InlineData(421, null, "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes", FailureClass.Throttled)]
    [InlineData(421, null, "421-4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited.", FailureClass.Throttled)]
    [InlineData(550, null, "550 5.7.1 Service unavailable, Client host [192.0.2.1] blocked using Spamhaus. To request removal from this list see https://www.spamhaus.org/query/ip/192.0.2.1", FailureClass.Throttled)]
    [InlineData(550, null, "550-5.7.1 [192.0.2.1 12] Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked.", FailureClass.Throttled)]
    [InlineData(550, null, "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.", FailureClass.Throttled)]
    [InlineData(450, null, "450 4.7.1 <someone@example.com>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.com.html", FailureClass.Throttled)]
    [InlineData(421, null, "421 Too many concurrent SMTP connections from this IP address; please try again later.", FailureClass.Throttled)]
    [InlineData(550, null, "550 Connection frequency limited. http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000722", FailureClass.Throttled)]
    [InlineData(451, null, "451 Temporarily unable to process your email. Please try again later.", FailureClass.Throttled)]
    [InlineData(553, null, "553 5.3.0 alpd681 DNSBL:RBL 521< 192.0.2.1 >_is_blocked.For assistance forward this error to abuse_rbl@abuse-att.net", FailureClass.Throttled)]
    [InlineData(null, "4.7.0", "too many connections, rate limited", FailureClass.Throttled)]
    [InlineData(null, "5.7.1", "blocked by policy", FailureClass.Throttled)]
    [InlineData(554, null, "554 5.7.1 Message rejected under policy", FailureClass.Throttled)]
    [InlineData(554, null, "554 5.7.9 Message not accepted for policy reasons. See https://help.yahoo.com/kb/postmaster/SLN7253.html", FailureClass.Throttled)]
    [InlineData(550, null, "550 Administrative prohibition - envelope blocked - https://community.mimecast.com/docs/DOC-1369#550", FailureClass.Throttled)]
    [InlineData(421, null, "421 RP-001 (BAY004-MC1F54) Unfortunately, some messages from 192.0.2.1 weren't sent. Please try again. We have limits for how many messages can be sent per hour and per day.", FailureClass.Throttled)]
    // The sender's authentication: SPF, DKIM, DMARC, reverse DNS, its own address.
    [InlineData(550, null, "550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM.", FailureClass.Auth)]
    [InlineData(550, null, "550-5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy.", FailureClass.Auth)]
    [InlineData(421, null, "421-4.7.26 Your email has been rate limited because it is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM.", FailureClass.Auth)]
    [InlineData(550, null, "550 5.7.23 The message was rejected because of Sender Policy Framework violation", FailureClass.Auth)]
    [InlineData(550, null, "550 5.7.25 The IP address sending this message does not have a PTR record setup", FailureClass.Auth)]
    [InlineData(550, null, "550 5.7.27 Sender address has null MX", FailureClass.Auth)]
    [InlineData(550, null, "550 5.7.20 No passing DKIM signature found", FailureClass.Auth)]
    [InlineData(550, null, "550 5.7.509 Access denied, sending domain example.com does not pass DMARC verification and has a DMARC policy of reject.", FailureClass.Auth)]
    [InlineData(550, null, "550 5.7.515 Access denied, sending domain example.com doesn't meet the required authentication level.", FailureClass.Auth)]
    [InlineData(450, null, "450 4.1.8 <bounces+x@psrp.example.com>: Sender address rejected: Domain not found", FailureClass.Auth)]
    [InlineData(null, "5.7.26", "unauthenticated email is not accepted due to the sender domain's DMARC policy", FailureClass.Auth)]
    [InlineData(550, null, "550 Message rejected: SPF check failed", FailureClass.Auth)]
    [InlineData(550, null, "550-5.7.1 This message does not have authentication information or fails to pass authentication checks (SPF or DKIM). To best protect our users from spam, the message has been blocked.", FailureClass.Auth)]
    [InlineData(550, null, "550 5.1.0 <bounces+x@bounces.example.com>: Sender address rejected: User unknown in local recipient table", FailureClass.Auth)]
    [InlineData(553, null, "553 5.1.8 <bounces+x@bounces.example.com>... Domain of sender address bounces.example.com does not exist", FailureClass.Auth)]
    // Nothing to go on.
    [InlineData(554, null, "554 5.0.0 Transaction failed", FailureClass.Unknown)]
    [InlineData(null, null, "SocketException: Connection refused", FailureClass.Unknown)]
    [InlineData(null, null, "Unusable recipient address: Invalid addr-spec token at offset 0", FailureClass.Unknown)]
    [InlineData(null, null, null, FailureClass.Unknown)]
    public void Replies_as_receivers_word_them_get_their_class(int? code, string? status, string? text, FailureClass expected) =>
        Assert.Equal(expected, FailureClassifier.Classify(code, status, text));

    [Theory]
    [InlineData("smtp; 550 5.1.1 mailbox gone", FailureClass.Hard)]
    [InlineData("smtp; 421-4.7.0 try again later", FailureClass.Throttled)]
    [InlineData("X-Postfix; 552 5.2.2 over quota", FailureClass.Soft)]
    public void The_reply_code_and_status_are_read_from_the_text_when_not_given(string text, FailureClass expected) =>
        Assert.Equal(expected, FailureClassifier.Classify(null, null, text));

    [Fact]
    public void Text_matches_ignore_case() =>
        Assert.Equal(
            [FailureClass.Hard, FailureClass.Throttled, FailureClass.Auth],
            [FailureClassifier.Classify(550, null, "550 USER UNKNOWN"), FailureClassifier.Classify(451, null, "451 RATE LIMITED"), FailureClassifier.Classify(550, null, "550 dmarc FAIL")]);

    [Theory]
    // A status about the address or mailbox outranks wording that merely sounds like a policy.
    [InlineData(550, "5.1.1", "user unknown (see our spam policy)", FailureClass.Hard)]
    [InlineData(452, "4.2.2", "mailbox full, try again later", FailureClass.Soft)]
    // A temporary code is never hard, whatever the text says.
    [InlineData(450, "4.1.1", "user unknown: unverified address, try again", FailureClass.Soft)]
    // Auth before throttled: a throttle because of missing authentication is the auth problem.
    [InlineData(421, "4.7.26", "rate limited", FailureClass.Auth)]
    // Throttled before hard: a policy block that mentions the recipient is still a block.
    [InlineData(550, "5.7.1", "recipient someone@example.com blocked", FailureClass.Throttled)]
    public void The_rules_apply_in_their_documented_order(int code, string status, string text, FailureClass expected) =>
        Assert.Equal(expected, FailureClassifier.Classify(code, status, text));

    [Theory]
    [InlineData("4.4.7", "expired in the mail server's queue, returned to sender", FailureClass.Throttled, FailureClass.Throttled)]
    [InlineData("4.4.7", "expired in the mail server's queue, returned to sender", null, FailureClass.Soft)]
    [InlineData("5.4.7", "delivery time expired", FailureClass.Auth, FailureClass.Auth)]
    [InlineData("4.7.0", "too many connections, rate limited", FailureClass.Soft, FailureClass.Throttled)]
    [InlineData("5.1.1", "simulated hard bounce", null, FailureClass.Hard)]
    public void An_expiry_keeps_the_class_of_the_deferrals_that_led_to_it(string status, string diagnostic, FailureClass? earlier, FailureClass expected) =>
        Assert.Equal(expected, FailureClassifier.ForReport(status, diagnostic, earlier));

    [Fact]
    public void Every_class_has_a_lower_case_name() =>
        Assert.Equal(["hard", "soft", "throttled", "auth", "unknown"], Enum.GetValues<FailureClass>().Select(c => c.Name()));
}
