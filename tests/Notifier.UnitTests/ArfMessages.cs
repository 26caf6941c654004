using System.Text;
using MimeKit;

namespace SalesMind.Notifier;

/// <summary>
/// Feedback-loop reports (ARF, RFC 5965) and RFC 6533 delivery reports as mailbox providers and
/// mail servers write them (the unit tests read them, the integration tests, which compile this
/// file too, send them). The texts follow the reports Yahoo, Microsoft's JMRP and AOL sent, with
/// the addresses and ids of the email they are about put in.
/// </summary>
internal static class ArfMessages
{
    /// <summary>What an email of ours carried, as its recipient's provider saw it.</summary>
    internal sealed record Original(string ReturnPath, string MessageId, string Recipient, string From = "no-reply@salesmind.test");

    internal static MimeMessage Load(string text) => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\r\n"))));

    private static string OriginalText(Original o, string? extraHeaders = null) => $"""
        Return-Path: <{o.ReturnPath}>
        Received: from mail.salesmind.example (mail.salesmind.example [203.0.113.25])
         by mta1234.mail.ne1.yahoo.com with ESMTPS; Sat, 28 Nov 2026 09:00:03 +0000
        {extraHeaders}From: SalesMind <{o.From}>
        To: {o.Recipient}
        Subject: Welcome to SalesMind
        Date: Sat, 28 Nov 2026 09:00:00 +0000
        Message-ID: <{o.MessageId}>
        MIME-Version: 1.0
        Content-Type: text/plain; charset=utf-8

        Welcome aboard.
        """;

    /// <summary>Yahoo's complaint feedback loop: Version 1, the whole original as message/rfc822.</summary>
    internal static string Yahoo(Original o, string feedbackType = "abuse", string? originalRcptTo = null) => $"""
        From: feedback@arf.mail.yahoo.com
        To: abuse@bounces.salesmind.example
        Subject: FW: Welcome to SalesMind
        Date: Sat, 28 Nov 2026 10:12:44 +0000
        Message-ID: <1764324764.7@arf.mail.yahoo.com>
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=feedback-report; boundary="----=_Part_1_arf"

        ------=_Part_1_arf
        Content-Type: text/plain; charset=us-ascii
        Content-Transfer-Encoding: 7bit

        This is an email abuse report for an email message received from IP 203.0.113.25 on Sat, 28 Nov 2026 09:00:03 +0000.
        For more information about this format please see http://www.mipassoc.org/arf/.

        ------=_Part_1_arf
        Content-Type: message/feedback-report

        Feedback-Type: {feedbackType}
        User-Agent: Yahoo!-Mail-Feedback/2.0
        Version: 1
        Original-Mail-From: <{o.ReturnPath}>
        Original-Rcpt-To: <{originalRcptTo ?? o.Recipient}>
        Received-Date: Sat, 28 Nov 2026 09:00:03 +0000
        Source-IP: 203.0.113.25
        Reported-Domain: salesmind.example
        Authentication-Results: mta1234.mail.ne1.yahoo.com; dkim=pass header.d=salesmind.example

        ------=_Part_1_arf
        Content-Type: message/rfc822
        Content-Disposition: inline

        {OriginalText(o)}

        ------=_Part_1_arf--
        """;

    /// <summary>
    /// Microsoft's Junk Mail Reporting Program (Outlook.com): no Original-Rcpt-To, the recipient in
    /// X-HmXmrOriginalRecipient of the original, which comes base64-encoded.
    /// </summary>
    internal static string OutlookJmrp(Original o)
    {
        var original = Convert.ToBase64String(Encoding.UTF8.GetBytes(
            OriginalText(o, $"X-HmXmrOriginalRecipient: <{o.Recipient}>\n").ReplaceLineEndings("\r\n")), Base64FormattingOptions.InsertLineBreaks);
        return $"""
            From: staff@hotmail.com
            To: abuse@bounces.salesmind.example
            Subject: complaint about message from 203.0.113.25
            Date: Sat, 28 Nov 2026 11:02:10 -0800
            Message-ID: <jmrp-0042@outlook.com>
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type="feedback-report"; boundary="jmrp_boundary"

            --jmrp_boundary
            Content-Type: text/plain

            This is an email abuse report for an email message received from IP 203.0.113.25.

            --jmrp_boundary
            Content-Type: message/feedback-report

            Feedback-Type: abuse
            User-Agent: Microsoft Junk Mail Reporting Program/1.0
            Version: 1
            Source-IP: 203.0.113.25

            --jmrp_boundary
            Content-Type: message/rfc822
            Content-Transfer-Encoding: base64

            {original}

            --jmrp_boundary--
            """;
    }

    /// <summary>AOL's feedback loop: Version 0.1, the recipient redacted, only the original's headers.</summary>
    internal static string Aol(Original o, string redactedTo = "redacted@aol.com") => $"""
        From: scomp@aol.net
        To: abuse@bounces.salesmind.example
        Subject: Email Feedback Report for IP 203.0.113.25
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=feedback-report; boundary="boundary-1138"

        --boundary-1138
        Content-Type: text/plain; charset="US-ASCII"

        This is an email abuse report for an email message received from IP 203.0.113.25.

        --boundary-1138
        Content-Type: message/feedback-report

        Feedback-Type: abuse
        User-Agent: AOL SComp
        Version: 0.1
        Received-Date: Sat, 28 Nov 2026 09:00:03 +0000
        Source-IP: 203.0.113.25
        Reported-Domain: salesmind.example
        Redacted-Address: redacted

        --boundary-1138
        Content-Type: text/rfc822-headers

        {OriginalText(o with { Recipient = redactedTo }).Split("\n\n")[0]}

        --boundary-1138--
        """;

    /// <summary>
    /// A complaint built around an email as it was received (the integration tests attach the
    /// real one from the Maildir), sent by a provider in ARF.
    /// </summary>
    internal static MimeMessage Complaint(MimeMessage original, string to, string? originalMailFrom = null, string? originalRcptTo = null,
        string feedbackType = "abuse")
    {
        var fields = new MessageFeedbackReport();
        fields.Fields.Add("Feedback-Type", feedbackType);
        fields.Fields.Add("User-Agent", "Yahoo!-Mail-Feedback/2.0");
        fields.Fields.Add("Version", "1");
        if (originalMailFrom is not null)
        {
            fields.Fields.Add("Original-Mail-From", $"<{originalMailFrom}>");
        }

        if (originalRcptTo is not null)
        {
            fields.Fields.Add("Original-Rcpt-To", $"<{originalRcptTo}>");
        }

        fields.Fields.Add("Source-IP", "127.0.0.1");
        var message = new MimeMessage { Subject = $"FW: {original.Subject}" };
        message.From.Add(MailboxAddress.Parse("feedback@arf.mail.yahoo.com"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Body = new MultipartReport("feedback-report")
        {
            new TextPart("plain") { Text = "This is an email abuse report for an email message received from IP 127.0.0.1." },
            fields,
            new MessagePart { Message = original },
        };
        return message;
    }

    /// <summary>
    /// An RFC 6533 report: message/global-delivery-status with UTF-8 fields and an address typed
    /// <c>utf-8</c>, and the original's headers as message/global-headers.
    /// </summary>
    internal static MimeMessage GlobalDsn(string? envelopeId, string action, string status, string diagnostic, string to, string finalRecipient,
        string? transferEncoding = null)
    {
        var fields = $"""
            Reporting-MTA: dns; mx.例子.广告
            {(envelopeId is null ? "" : $"Original-Envelope-Id: {envelopeId}\n")}Arrival-Date: Sat, 28 Nov 2026 09:00:03 +0000

            Original-Recipient: utf-8; {finalRecipient}
            Final-Recipient: utf-8; {finalRecipient}
            Action: {action}
            Status: {status}
            Remote-MTA: dns; mx.例子.广告
            Diagnostic-Code: smtp; {diagnostic}

            """.ReplaceLineEndings("\r\n");
        var statusPart = new MimePart("message", "global-delivery-status")
        {
            Content = new MimeContent(new MemoryStream(Encoding.UTF8.GetBytes(fields))),
        };
        if (transferEncoding is not null)
        {
            statusPart.ContentTransferEncoding = Enum.Parse<ContentEncoding>(transferEncoding, true);
        }

        var headers = new MimePart("message", "global-headers")
        {
            Content = new MimeContent(new MemoryStream(Encoding.UTF8.GetBytes(
                $"From: 送信者 <no-reply@salesmind.test>\r\nTo: {finalRecipient}\r\nSubject: ようこそ\r\n\r\n"))),
        };
        var message = new MimeMessage { Subject = "配信不能: ようこそ" };
        message.From.Add(new MailboxAddress("Mail Delivery System", "MAILER-DAEMON@mx.example.com"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Body = new MultipartReport("delivery-status")
        {
            new TextPart("plain") { Text = "メッセージを配信できませんでした。" },
            statusPart,
            headers,
        };
        return message;
    }

    /// <summary>The same message after a trip through SMTP: written out and read back (8-bit kept, as SMTPUTF8 would).</summary>
    internal static MimeMessage RoundTrip(MimeMessage message)
    {
        var buffer = new MemoryStream();
        message.WriteTo(FormatOptions.Default, buffer);
        buffer.Position = 0;
        return MimeMessage.Load(buffer);
    }
}
