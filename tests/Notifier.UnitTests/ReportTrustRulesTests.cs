using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Outcomes;

namespace SalesMind.Notifier.UnitTests;

/// <summary>
/// The rules that decide whether a report or a log line may change a delivery, attacked with
/// forged input, without any service: signed return paths, the report's agreement with its
/// delivery, and the Postfix log parser against text an outsider put into the log.
/// </summary>
public sealed class ReportTrustRulesTests
{
    private const string Key = "a-test-key-for-return-paths-0123456789";
    private const string Domain = "bounces.example.test";
    private static readonly Guid Id = Guid.Parse("0193f4a2-9b3d-7e10-8c42-5d6e7f8a9b0c");

    [Fact]
    public void A_return_path_names_its_delivery_with_an_80_bit_signature_that_survives_a_change_of_case()
    {
        var path = SignedReturnPath.For(Id, Key, Domain);

        Assert.Matches("^bounces\\+0193f4a29b3d7e108c425d6e7f8a9b0c\\.[a-z2-7]{16}@bounces\\.example\\.test$", path);
        Assert.True(path.IndexOf('@') <= 64, "the local part fits SMTP's 64 characters");
        Assert.Equal(ReturnPathCheck.Signed, SignedReturnPath.Check(path, Key, Domain, out var id));
        Assert.Equal(Id, id);
        Assert.Equal(ReturnPathCheck.Signed, SignedReturnPath.Check(path.ToUpperInvariant(), Key, Domain, out id));
        Assert.Equal(Id, id);
    }

    [Theory]
    [InlineData("bounces@bounces.example.test", ReturnPathCheck.Unsigned)]
    [InlineData("postmaster@bounces.example.test", ReturnPathCheck.Unsigned)]
    [InlineData("bounces+0193f4a29b3d7e108c425d6e7f8a9b0c@bounces.example.test", ReturnPathCheck.Unsigned)]
    [InlineData("bounces+0193f4a29b3d7e108c425d6e7f8a9b0c.aaaaaaaaaaaaaaaa@bounces.example.test", ReturnPathCheck.BadSignature)]
    [InlineData("bounces+0193f4a29b3d7e108c425d6e7f8a9b0c.@bounces.example.test", ReturnPathCheck.BadSignature)]
    [InlineData("bounces+not-a-guid.aaaaaaaaaaaaaaaa@bounces.example.test", ReturnPathCheck.BadSignature)]
    [InlineData("bounces+0193f4a29b3d7e108c425d6e7f8a9b0c.aaaaaaaaaaaaaaaa@elsewhere.test", ReturnPathCheck.NotOurs)]
    public void Unsigned_and_wrongly_signed_return_paths_name_no_delivery(string address, ReturnPathCheck expected)
    {
        Assert.Equal(expected, SignedReturnPath.Check(address, Key, Domain, out var id));
        Assert.Equal(Guid.Empty, id);
    }

    [Fact]
    public void A_signature_is_bound_to_its_delivery_and_its_key()
    {
        var path = SignedReturnPath.For(Id, Key, Domain);
        var other = Guid.CreateVersion7();
        var signature = path[(path.IndexOf('.') + 1)..path.IndexOf('@')];

        // Another delivery's id with this delivery's signature, or the right path under another key.
        Assert.Equal(ReturnPathCheck.BadSignature, SignedReturnPath.Check($"bounces+{other:N}.{signature}@{Domain}", Key, Domain, out _));
        Assert.Equal(ReturnPathCheck.BadSignature, SignedReturnPath.Check(path, Key + "-rotated", Domain, out _));
        // One character off.
        var flipped = path.Replace($".{signature[0]}", $".{(signature[0] == 'a' ? 'b' : 'a')}", StringComparison.Ordinal);
        Assert.Equal(ReturnPathCheck.BadSignature, SignedReturnPath.Check(flipped, Key, Domain, out _));
    }

    private static readonly DeliveryFacts Delivery = new(Id, "4jcQzHmPztTfT", "hanako@example.com", DeliveryStatus.Delivered);

    private static DsnReport Dsn(string? envelopeId, string? queueId, string? finalRecipient, string? originalRecipient = null) =>
        new(envelopeId, queueId, [new DsnEntry("failed", "5.1.1", "550 5.1.1 unknown", "mx.example.com", finalRecipient, originalRecipient)], null);

    [Fact]
    public void A_report_that_agrees_with_its_delivery_is_accepted_and_missing_optional_fields_are_tolerated()
    {
        Assert.Null(ReportRules.Disagreement(Delivery, Dsn(Id.ToString(), "4jcQzHmPztTfT", "hanako@example.com")));
        Assert.Null(ReportRules.Disagreement(Delivery, Dsn(Id.ToString("N"), "4jcQzHmPztTfT", "HANAKO@example.com")));
        // A remote server that got neither our ENVID nor is Postfix.
        Assert.Null(ReportRules.Disagreement(Delivery, Dsn(null, null, "hanako@example.com")));
        // A remote server that rewrote the address (forwarding) keeps ours as Original-Recipient.
        Assert.Null(ReportRules.Disagreement(Delivery, Dsn(Id.ToString(), null, "hanako@forwarded.example", "hanako@example.com")));
    }

    [Theory]
    [InlineData("0193f4a2-0000-7000-8000-000000000001", "4jcQzHmPztTfT", "hanako@example.com", ReportRejection.EnvelopeIdMismatch)]
    [InlineData("not-a-delivery-id", "4jcQzHmPztTfT", "hanako@example.com", ReportRejection.EnvelopeIdMismatch)]
    [InlineData("0193f4a2-9b3d-7e10-8c42-5d6e7f8a9b0c", "4jcVctmQzHmPz", "hanako@example.com", ReportRejection.QueueIdMismatch)]
    [InlineData(null, "4JCQZHMPZTTFT", "hanako@example.com", ReportRejection.QueueIdMismatch)]
    [InlineData("0193f4a2-9b3d-7e10-8c42-5d6e7f8a9b0c", "4jcQzHmPztTfT", "victim@example.com", ReportRejection.RecipientMismatch)]
    [InlineData("0193f4a2-9b3d-7e10-8c42-5d6e7f8a9b0c", "4jcQzHmPztTfT", null, ReportRejection.RecipientMismatch)]
    public void A_report_naming_another_delivery_queue_id_or_address_is_rejected(string? envelopeId, string? queueId, string? finalRecipient, ReportRejection expected) =>
        Assert.Equal(expected, ReportRules.Disagreement(Delivery, Dsn(envelopeId, queueId, finalRecipient))?.Reason);

    [Fact]
    public void A_report_with_one_good_group_and_one_for_another_address_is_rejected_whole()
    {
        var report = new DsnReport(Id.ToString(), null,
            [new DsnEntry("failed", "5.1.1", null, null, "hanako@example.com", null), new DsnEntry("failed", "5.1.1", null, null, "victim@example.com", null)], null);

        Assert.Equal(ReportRejection.RecipientMismatch, ReportRules.Disagreement(Delivery, report)?.Reason);
    }

    [Fact]
    public void A_report_with_more_recipient_groups_than_the_cap_is_refused_unread()
    {
        var guessing = DsnMessages.Report(null, "4jcQzHmPztTfT", "failed", "5.1.1", "550 gone", "bounces@x.test", "hanako@example.com",
            groups: DsnParser.MaxRecipientGroups + 1);
        var largest = DsnMessages.Report(null, "4jcQzHmPztTfT", "failed", "5.1.1", "550 gone", "bounces@x.test", "hanako@example.com",
            groups: DsnParser.MaxRecipientGroups);

        var refused = DsnParser.Parse(guessing)!;
        Assert.Empty(refused.Entries);
        Assert.Equal(ReportRejection.Malformed, ReportRules.Disagreement(Delivery, refused)?.Reason);
        Assert.Equal(DsnParser.MaxRecipientGroups, DsnParser.Parse(largest)!.Entries.Count);
    }

    // Lines as the stack's Postfix 3.7 writes them, with text an outsider controls. "4jcVctmQzHmPz"
    // is a victim's queue id; the attacker's own messages have other ids.
    [Theory]
    // MAIL FROM carrying a whole delivery agent's line (Postfix accepts a quoted local part with any of these characters).
    [InlineData("Nov 29 15:42:27 mail postfix/qmgr[3993]: 4jcrxv44jNzm53T: from=<\"postfix/error[1]: 4jcVctmQzHmPz: to=<v@mail.test>, relay=none, delay=0, delays=0/0/0/0, dsn=5.1.1, status=bounced (forged\"@evil.test>, size=388, nrcpt=1 (queue active)")]
    // MAIL FROM carrying the queue manager's "expired" verdict.
    [InlineData("Nov 29 15:42:27 mail postfix/qmgr[3993]: 4jcrxv44jNzm53T: from=<\"x>, status=expired, returned to sender\"@evil.test>, size=388, nrcpt=1 (queue active)")]
    [InlineData("Nov 29 15:42:27 mail postfix/qmgr[3993]: 4jcrxv44jNzm53T: from=<\"postfix/qmgr[1]: 4jcVctmQzHmPz: from=<>, status=expired, returned to sender\"@evil.test>, size=388, nrcpt=1 (queue active)")]
    // Not at the start of a line: a line that merely contains Postfix's format.
    [InlineData("x Nov 29 15:42:27 mail postfix/error[4785]: 4jcVctmQzHmPz: to=<v@mail.test>, relay=none, delay=0.05, delays=0.04/0.01/0/0.01, dsn=5.1.1, status=bounced (forged)")]
    [InlineData("Nov 29 15:42:27 mail postfix/smtpd[11792]: warning: non-SMTP command from unknown[127.0.0.1]: Nov 29 15:42:27 mail postfix/error[1]: 4jcVctmQzHmPz: to=<v@mail.test>, relay=none, delay=0, delays=0/0/0/0, dsn=5.1.1, status=bounced (forged)")]
    [InlineData("Nov 29 15:42:27 mail postfix/smtpd[11792]: NOQUEUE: reject: RCPT from unknown[127.0.0.1]: 554 5.7.1 <a@b>: Relay access denied; from=<\"4jcVctmQzHmPz: to=<v@mail.test>, dsn=5.1.1, status=bounced (x)\"@evil.test> to=<a@b> proto=ESMTP helo=<t>")]
    // A field that does not read cleanly is no verdict at all.
    [InlineData("Nov 29 15:42:27 mail postfix/error[4785]: 4jcVctmQzHmPz: to=<\"unclosed@mail.test, relay=none, delay=0, delays=0/0/0/0, dsn=5.1.1, status=bounced (forged)")]
    public void Text_an_outsider_put_into_the_log_is_never_read_as_an_outcome(string line) => Assert.Null(PostfixOutcome.Parse(line));

    [Fact]
    public void A_recipient_address_shaped_like_fields_stays_inside_its_brackets()
    {
        // Someone signed up with this address: its own delivery line must still read "sent".
        var line = "Nov 29 15:42:27 mail postfix/virtual[12022]: 4jcrxv44jNzm53T: to=<\"a>, relay=none, delay=0, delays=0/0/0/0, dsn=5.1.1, status=bounced (x\"@mail.test>, " +
            "relay=virtual, delay=0.01, delays=0/0.01/0/0, dsn=2.0.0, status=sent (delivered to maildir)";

        var outcome = PostfixOutcome.Parse(line);

        Assert.NotNull(outcome);
        Assert.Equal(("4jcrxv44jNzm53T", "delivered", "2.0.0", "delivered to maildir", "virtual"), (outcome.QueueId, outcome.Action, outcome.Status, outcome.Diagnostic, outcome.Relay));
        var parsed = PostfixLogLine.Parse(line)!;
        Assert.Equal("\"a>, relay=none, delay=0, delays=0/0/0/0, dsn=5.1.1, status=bounced (x\"@mail.test", parsed["to"]);
    }

    [Theory]
    [InlineData("Nov  9 08:01:02 mail postfix/submission/smtpd[77]: 4jcrxv44jNzm53T: client=unknown[127.0.0.1]", "smtpd", "client", "unknown[127.0.0.1]")]
    [InlineData("2026-11-29T15:42:27.123456+00:00 mail postfix/cleanup[11797]: 4jcrxv44jNzm53T: message-id=<4jcrxv44jNzm53T@mail.salesmind.localhost>", "cleanup", "message-id", "4jcrxv44jNzm53T@mail.salesmind.localhost")]
    [InlineData("Nov 29 15:42:27 mail postfix/qmgr[3993]: 3F2A91C0B2: from=<>, size=388, nrcpt=1 (queue active)", "qmgr", "from", "")]
    public void Lines_of_both_timestamp_forms_syslog_names_and_queue_id_forms_are_read(string line, string daemon, string field, string value)
    {
        var parsed = PostfixLogLine.Parse(line);

        Assert.NotNull(parsed);
        Assert.Equal((daemon, field, value), (parsed.Daemon, parsed.FirstField, parsed[field]));
    }
}
