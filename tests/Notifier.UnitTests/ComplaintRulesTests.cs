using System.ComponentModel.DataAnnotations;
using System.Text;
using MimeKit;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Outcomes;

namespace SalesMind.Notifier.UnitTests;

/// <summary>
/// Complaints (ARF feedback reports) without any service: the parser against the reports Yahoo,
/// Microsoft and AOL send and against malformed ones, and the rules that decide which delivery a
/// complaint may mark complained, attacked with forged ones.
/// </summary>
public sealed class ComplaintRulesTests
{
    private const string MessageIdDomain = "salesmind.test";
    private static readonly BounceOptions Bounces = new() { Domain = "bounces.example.test", SigningKey = "a-test-key-for-return-paths-0123456789" };
    private static readonly Guid Id = Guid.Parse("0193f4a2-9b3d-7e10-8c42-5d6e7f8a9b0c");
    private static readonly Guid Other = Guid.Parse("0193f4a2-0000-7000-8000-000000000001");
    private const string Recipient = "hanako@yahoo.example";
    private static readonly DeliveryFacts Delivery = new(Id, "4jcQzHmPztTfT", Recipient, DeliveryStatus.Delivered);
    private static readonly string Abuse = $"abuse@{Bounces.Domain}";

    private static ArfMessages.Original Ours(Guid? id = null, string recipient = Recipient) =>
        new(Bounces.ReturnPath(id ?? Id), $"{id ?? Id:N}@{MessageIdDomain}", recipient);

    private static ArfReport Parse(string text) => ArfParser.Parse(ArfMessages.Load(text))!;

    private static (ComplaintTarget? Target, (ReportRejection Reason, string Detail)? Rejection) Identify(ArfReport report, params string[] to) =>
        ComplaintRules.Identify(report, to.Length == 0 ? [Abuse] : to, Bounces, MessageIdDomain);

    [Fact]
    public void A_Yahoo_complaint_is_read_and_names_its_delivery_by_signed_return_path_and_Message_ID()
    {
        var report = Parse(ArfMessages.Yahoo(Ours()));

        Assert.Null(report.Problem);
        Assert.Equal(("abuse", "Yahoo!-Mail-Feedback/2.0", "203.0.113.25"), (report.FeedbackType, report.UserAgent, report.SourceIp));
        Assert.Equal(Bounces.ReturnPath(Id), report.OriginalMailFrom);
        Assert.Equal([Recipient], report.OriginalRcptTo);
        Assert.Equal([Bounces.ReturnPath(Id)], report.ReturnPaths);
        Assert.Equal([$"{Id:N}@{MessageIdDomain}"], report.MessageIds);
        Assert.Equal([Recipient], report.Recipients);
        var (target, rejection) = Identify(report);
        Assert.Null(rejection);
        Assert.Equal(new ComplaintTarget(Id, Signed: true), target);
        Assert.Null(ComplaintRules.Disagreement(Delivery, report));
    }

    [Fact]
    public void An_Outlook_JMRP_complaint_with_a_base64_original_is_read_through_its_transfer_encoding()
    {
        var report = Parse(ArfMessages.OutlookJmrp(Ours()));

        Assert.Null(report.Problem);
        Assert.Equal("Microsoft Junk Mail Reporting Program/1.0", report.UserAgent);
        Assert.Null(report.OriginalMailFrom);
        Assert.Empty(report.OriginalRcptTo);
        // X-HmXmrOriginalRecipient and To, both the recipient.
        Assert.Equal([Recipient, Recipient], report.Recipients.Order());
        Assert.Equal(new ComplaintTarget(Id, true), Identify(report).Target);
        Assert.Null(ComplaintRules.Disagreement(Delivery, report));
    }

    [Fact]
    public void An_AOL_complaint_with_a_redacted_recipient_and_only_headers_agrees_when_the_domain_does()
    {
        var aol = Delivery with { Recipient = "taro@aol.com" };
        var report = Parse(ArfMessages.Aol(Ours(recipient: "taro@aol.com")));

        Assert.Null(report.Problem);
        Assert.Equal(("abuse", "AOL SComp"), (report.FeedbackType, report.UserAgent));
        Assert.Equal(["redacted@aol.com"], report.Recipients);
        Assert.Equal(new ComplaintTarget(Id, true), Identify(report).Target);
        Assert.Null(ComplaintRules.Disagreement(aol, report));
        // Redacted at another domain is another recipient.
        Assert.Equal(ReportRejection.RecipientMismatch, ComplaintRules.Disagreement(aol with { Recipient = "taro@yahoo.example" }, report)?.Reason);
    }

    [Fact]
    public void A_complaint_sent_to_the_signed_return_path_itself_counts_and_a_Message_ID_alone_names_its_delivery_unsigned()
    {
        var report = Parse(ArfMessages.Yahoo(Ours()));
        Assert.Equal(new ComplaintTarget(Id, true), Identify(report, Bounces.ReturnPath(Id)).Target);

        // Only the headers a provider kept: the Message-ID names the delivery, nothing signs it.
        var headersOnly = report with { OriginalMailFrom = null, ReturnPaths = [] };
        Assert.Equal(new ComplaintTarget(Id, false), Identify(headersOnly).Target);
        Assert.Equal(Id, ComplaintRules.OurMessageId($"{Id:N}@SALESMIND.TEST", MessageIdDomain));
    }

    [Fact]
    public void A_complaint_sent_elsewhere_at_the_bounce_domain_or_with_a_forged_signature_is_rejected()
    {
        var report = Parse(ArfMessages.Yahoo(Ours()));

        Assert.Equal(ReportRejection.Unsigned, Identify(report, $"bounces@{Bounces.Domain}").Rejection?.Reason);
        Assert.Equal(ReportRejection.Unsigned, Identify(report, $"postmaster@{Bounces.Domain}").Rejection?.Reason);
        Assert.Equal(ReportRejection.BadSignature, Identify(report, $"bounces+{Id:N}.aaaaaaaaaaaaaaaa@{Bounces.Domain}").Rejection?.Reason);
        // The victim's id under a made-up signature, inside the report.
        var forged = report with { OriginalMailFrom = $"bounces+{Id:N}.aaaaaaaaaaaaaaaa@{Bounces.Domain}" };
        Assert.Equal(ReportRejection.BadSignature, Identify(forged).Rejection?.Reason);
        var forgedHeader = report with { ReturnPaths = [$"bounces+{Id:N}.aaaaaaaaaaaaaaaa@{Bounces.Domain}"] };
        Assert.Equal(ReportRejection.BadSignature, Identify(forgedHeader).Rejection?.Reason);
    }

    [Fact]
    public void An_attackers_own_email_cannot_carry_a_complaint_about_anyone_else()
    {
        // The attacker holds their own email (delivery Other): its signed return path and Message-ID.
        var own = Parse(ArfMessages.Yahoo(Ours(Other, "attacker@evil.example")));

        // ...with the victim's Message-ID (learned somehow), or the victim's X-SalesMind-Delivery header.
        Assert.Equal(ReportRejection.ReferenceMismatch, Identify(own with { MessageIds = [$"{Id:N}@{MessageIdDomain}"] }).Rejection?.Reason);
        Assert.Equal(ReportRejection.ReferenceMismatch, Identify(own with { DeliveryIds = [Id.ToString()] }).Rejection?.Reason);
        // ...sent to its own signed return path and the victim's unsigned one.
        Assert.Equal(ReportRejection.ReferenceMismatch,
            Identify(own with { OriginalMailFrom = null, ReturnPaths = [], MessageIds = [$"{Id:N}@{MessageIdDomain}"] }, Bounces.ReturnPath(Other)).Rejection?.Reason);
        // ...naming the victim's address: it names the attacker's own delivery, whose recipient is not the victim.
        var ownDelivery = new DeliveryFacts(Other, "4jcOther", "attacker@evil.example", DeliveryStatus.Delivered);
        var naming = Parse(ArfMessages.Yahoo(Ours(Other, "attacker@evil.example"), originalRcptTo: Recipient));
        Assert.Equal(Other, Identify(naming).Target?.DeliveryId);
        Assert.Equal(ReportRejection.RecipientMismatch, ComplaintRules.Disagreement(ownDelivery, naming)?.Reason);
        Assert.Equal(ReportRejection.RecipientMismatch, ComplaintRules.Disagreement(ownDelivery, own with { Recipients = ["attacker@evil.example", Recipient] })?.Reason);
    }

    [Fact]
    public void A_complaint_naming_no_email_of_ours_or_another_senders_is_rejected()
    {
        var report = Parse(ArfMessages.Yahoo(Ours()));

        Assert.Equal(ReportRejection.Unmatched, Identify(report with { OriginalMailFrom = null, ReturnPaths = [], MessageIds = [] }).Rejection?.Reason);
        // Someone else's email (spoofing our domain), or ours at a foreign Message-ID domain.
        Assert.Equal(ReportRejection.ReferenceMismatch, Identify(report with { OriginalMailFrom = "bounce@spammer.example" }).Rejection?.Reason);
        Assert.Equal(ReportRejection.ReferenceMismatch, Identify(report with { OriginalMailFrom = "" }).Rejection?.Reason);
        Assert.Equal(ReportRejection.ReferenceMismatch, Identify(report with { MessageIds = [$"{Id:N}@elsewhere.example"] }).Rejection?.Reason);
        Assert.Equal(ReportRejection.ReferenceMismatch, Identify(report with { MessageIds = ["CAF=x1@mail.gmail.com"] }).Rejection?.Reason);
        Assert.Equal(ReportRejection.ReferenceMismatch, Identify(report with { DeliveryIds = ["not-an-id"] }).Rejection?.Reason);
    }

    [Theory]
    [InlineData("not-spam")]
    [InlineData("auth-failure")]
    [InlineData("virus")]
    [InlineData("other")]
    public void Feedback_that_is_not_a_persons_complaint_changes_nothing(string feedbackType)
    {
        var report = Parse(ArfMessages.Yahoo(Ours(), feedbackType));

        Assert.Equal(Id, Identify(report).Target?.DeliveryId);
        Assert.Equal(ReportRejection.NotAComplaint, ComplaintRules.Disagreement(Delivery, report)?.Reason);
    }

    [Fact]
    public void A_fraud_report_is_a_complaint_and_a_report_naming_no_recipient_is_not_enough()
    {
        Assert.Null(ComplaintRules.Disagreement(Delivery, Parse(ArfMessages.Yahoo(Ours(), "fraud"))));
        var anonymous = Parse(ArfMessages.Yahoo(Ours())) with { OriginalRcptTo = [], Recipients = [] };
        Assert.Equal(ReportRejection.RecipientMismatch, ComplaintRules.Disagreement(Delivery, anonymous)?.Reason);
    }

    [Fact]
    public void Messages_that_are_not_feedback_reports_are_not_read_as_complaints()
    {
        Assert.Null(ArfParser.Parse(DsnMessages.Report(null, null, "failed", "5.1.1", "550 gone", Abuse)));
        var plain = new MimeMessage { Body = new TextPart("plain") { Text = "Feedback-Type: abuse" } };
        Assert.Null(ArfParser.Parse(plain));
    }

    public static TheoryData<string, string> Malformed() => new()
    {
        { "no report part", Yahoo().Replace("Content-Type: message/feedback-report", "Content-Type: text/plain", StringComparison.Ordinal) },
        { "two report parts", Yahoo().Replace("------=_Part_1_arf\r\nContent-Type: message/rfc822", ReportPart() + "------=_Part_1_arf\r\nContent-Type: message/rfc822", StringComparison.Ordinal) },
        { "no feedback type", Yahoo().Replace("Feedback-Type: abuse", "X-Feedback: abuse", StringComparison.Ordinal) },
        { "two Original-Mail-From", Yahoo().Replace(Agent, Agent + "\r\nOriginal-Mail-From: <other@evil.example>", StringComparison.Ordinal) },
        { "too many recipients", Yahoo().Replace(Agent, Agent + string.Concat(Enumerable.Range(0, 11).Select(i => $"\r\nOriginal-Rcpt-To: v{i}@example.com")), StringComparison.Ordinal) },
        { "too many fields", Yahoo().Replace(Agent, Agent + string.Concat(Enumerable.Range(0, 101).Select(i => $"\r\nX-Field-{i}: {i}")), StringComparison.Ordinal) },
        { "two originals", Yahoo().Replace("------=_Part_1_arf--", Original() + "------=_Part_1_arf--", StringComparison.Ordinal) },
        { "too many parts", Yahoo().Replace("------=_Part_1_arf--", string.Concat(Enumerable.Range(0, 10).Select(_ => "------=_Part_1_arf\r\nContent-Type: text/plain\r\n\r\nx\r\n\r\n")) + "------=_Part_1_arf--", StringComparison.Ordinal) },
        { "an unreadable To", Yahoo().Replace($"To: {Recipient}", "To: \"unclosed <x@", StringComparison.Ordinal) },
    };

    private const string Agent = "User-Agent: Yahoo!-Mail-Feedback/2.0";

    private static string Yahoo() => ArfMessages.Yahoo(Ours()).ReplaceLineEndings("\r\n");

    private static string ReportPart() => "------=_Part_1_arf\r\nContent-Type: message/feedback-report\r\n\r\nFeedback-Type: abuse\r\nOriginal-Rcpt-To: victim@example.com\r\n\r\n";

    private static string Original() => $"------=_Part_1_arf\r\nContent-Type: message/rfc822\r\n\r\nTo: victim@example.com\r\nMessage-ID: <{Other:N}@{MessageIdDomain}>\r\n\r\nx\r\n\r\n";

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_and_oversized_reports_are_refused_whole_never_thrown_at(string what, string text)
    {
        var report = ArfParser.Parse(ArfMessages.Load(text));

        Assert.NotNull(report);
        Assert.False(report.Problem is null, $"{what}: read as a usable complaint");
        Assert.Equal(ReportRejection.Malformed, Identify(report).Rejection?.Reason);
    }

    [Fact]
    public void A_transfer_encoded_original_past_the_size_limit_is_refused_unread()
    {
        var huge = new string('x', 600 * 1024);
        var text = ArfMessages.OutlookJmrp(Ours());
        var start = text.IndexOf("Content-Transfer-Encoding: base64", StringComparison.Ordinal);
        var body = text.IndexOf("\n\n", start, StringComparison.Ordinal) + 2;
        var end = text.IndexOf("--jmrp_boundary--", StringComparison.Ordinal);
        var padded = text[..body] + Convert.ToBase64String(Encoding.ASCII.GetBytes($"To: {Recipient}\r\nX-Pad: {huge}\r\n\r\n"), Base64FormattingOptions.InsertLineBreaks) + "\n\n" + text[end..];

        var report = ArfParser.Parse(ArfMessages.Load(padded))!;

        Assert.Equal("the original message is unreadable", report.Problem);
    }

    [Fact]
    public void Control_characters_in_claimed_fields_are_dropped_so_a_rejection_can_be_stored()
    {
        var text = ArfMessages.Yahoo(Ours()).Replace("Source-IP: 203.0.113.25", "Source-IP: 203.0.113.25\0\u0001", StringComparison.Ordinal);

        var report = ArfParser.Parse(ArfMessages.Load(text))!;

        Assert.DoesNotContain(report.SourceIp!, char.IsControl);
    }

    [Theory]
    [InlineData("abuse", true)]
    [InlineData("fbl", true)]
    [InlineData("complaints.feedback", true)]
    [InlineData("abuse@bounces.example.test", false)]
    [InlineData("bounces+x", false)]
    [InlineData("BOUNCES+abc", false)]
    [InlineData("", false)]
    [InlineData("a b", false)]
    [InlineData(".abuse", false)]
    public void The_complaint_address_is_a_local_part_that_cannot_pose_as_a_signed_return_path(string localPart, bool valid)
    {
        var options = new BounceOptions { SigningKey = Bounces.SigningKey, ComplaintAddress = localPart };
        var errors = new List<ValidationResult>();

        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true));
        if (!valid)
        {
            Assert.Contains(errors, e => e.ErrorMessage!.Contains("ComplaintAddress", StringComparison.Ordinal) || e.MemberNames.Contains(nameof(BounceOptions.ComplaintAddress)));
        }
    }

    [Fact]
    public void The_defaults_are_abuse_at_the_bounce_domain_and_ten_years_of_suppression()
    {
        var options = new BounceOptions();

        Assert.Equal(("abuse", TimeSpan.FromDays(3650)), (options.ComplaintAddress, options.ComplaintSuppressFor));
    }

    // ---------------------------------------------------------------- RFC 6533

    [Fact]
    public void An_RFC_6533_global_delivery_report_is_read_like_an_RFC_3464_one_with_its_UTF_8_address()
    {
        var report = DsnParser.Parse(ArfMessages.RoundTrip(ArfMessages.GlobalDsn(Id.ToString(), "failed", "5.1.1", "550 5.1.1 用户不存在", Abuse, "用户@例子.广告")));

        Assert.NotNull(report);
        Assert.Null(report.Problem);
        Assert.Equal(Id.ToString(), report.EnvelopeId);
        var entry = Assert.Single(report.Entries);
        Assert.Equal(("failed", "5.1.1", "550 5.1.1 用户不存在", "mx.例子.广告", "用户@例子.广告", "用户@例子.广告"),
            (entry.Action, entry.Status, entry.Diagnostic, entry.RemoteMta, entry.FinalRecipient, entry.OriginalRecipient));
        var delivery = new DeliveryFacts(Id, "4jcQzHmPztTfT", "用户@例子.广告", DeliveryStatus.Delivered);
        Assert.Null(ReportRules.Disagreement(delivery, report));
        // The same mailbox with its domain in ASCII (as the address may have been stored).
        Assert.Null(ReportRules.Disagreement(delivery with { Recipient = "用户@xn--fsqu00a.xn--4rr70v" }, report));
        Assert.Equal(ReportRejection.RecipientMismatch, ReportRules.Disagreement(delivery with { Recipient = "别人@例子.广告" }, report)?.Reason);
    }

    [Theory]
    [InlineData("base64")]
    [InlineData("quotedprintable")]
    public void A_transfer_encoded_global_delivery_report_is_decoded(string encoding)
    {
        var report = DsnParser.Parse(ArfMessages.RoundTrip(ArfMessages.GlobalDsn(null, "failed", "5.2.2", "552 mailbox full", Abuse, "hanako@example.com", encoding)));

        Assert.Equal(("failed", "5.2.2", "hanako@example.com"), (report!.Entries[0].Action, report.Entries[0].Status, report.Entries[0].FinalRecipient));
    }

    [Fact]
    public void Escapes_in_a_UTF_8_address_are_decoded_and_a_NUL_escape_is_not()
    {
        var report = DsnParser.Parse(ArfMessages.RoundTrip(ArfMessages.GlobalDsn(null, "failed", "5.1.1", "550 gone", Abuse, @"\x{7528}\x{6237}@例子.广告")));
        Assert.Equal("用户@例子.广告", report!.Entries[0].FinalRecipient);

        var nul = DsnParser.Parse(ArfMessages.RoundTrip(ArfMessages.GlobalDsn(null, "failed", "5.1.1", "550 gone", Abuse, @"a\x{0}b@example.com")));
        Assert.DoesNotContain(nul!.Entries[0].FinalRecipient!, char.IsControl);
    }

    [Fact]
    public void A_global_report_with_more_recipient_groups_than_the_cap_is_refused_unread()
    {
        var groups = string.Concat(Enumerable.Range(0, DsnParser.MaxRecipientGroups + 5).Select(i => $"Final-Recipient: utf-8; v{i}@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"));
        var message = ArfMessages.GlobalDsn(null, "failed", "5.1.1", "550 gone", Abuse, "hanako@example.com");
        var part = ((MultipartReport)message.Body!).OfType<MimePart>().Single(p => p.ContentType.MediaSubtype == "global-delivery-status");
        part.Content = new MimeContent(new MemoryStream(Encoding.UTF8.GetBytes("Reporting-MTA: dns; mx.example.com\r\n\r\n" + groups)));

        var report = DsnParser.Parse(ArfMessages.RoundTrip(message))!;

        Assert.Empty(report.Entries);
        Assert.Equal(ReportRejection.Malformed, ReportRules.Disagreement(Delivery, report)?.Reason);
    }
}
