using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailKit.Net.Smtp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;
using SalesMind.TestSupport;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Outcomes;
using SalesMind.Notifier.Sending;

namespace SalesMind.Notifier.Tests;

/// <summary>
/// Outsiders attacking the delivery ledger over real SMTP, as anyone on port 25 could: forged
/// delivery reports sent to the report listener (as anyone reaching the bounce domain's MX can),
/// and text shaped like Postfix's log lines smuggled into the log. The victim's delivery must
/// stay as it was, its address unsuppressed, and each forged report must be visible to operators.
/// </summary>
[Collection(NotifierCollection.Name)]
public sealed class ForgedReportTests(NotifierApp app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly MailboxAddress ReportSender = MailboxAddress.Parse("MAILER-DAEMON@mx.attacker.test");

    private HttpClient Admin() => app.AdminClient();

    private async Task<Guid> TestSendAsync(string to)
    {
        var response = await Admin().PostAsJsonAsync("/api/admin/templates/welcome/test-send", new { to, locale = "en" });
        return (await NotifierApp.JsonAsync(response, HttpStatusCode.Accepted)).GetProperty("delivery_id").GetGuid();
    }

    private async Task<JsonElement> DeliveryAsync(Guid id) =>
        await NotifierApp.JsonAsync(await Admin().GetAsync($"/api/admin/deliveries/{id}"), HttpStatusCode.OK);

    /// <summary>A delivered email: (id, queue id, recipient).</summary>
    private async Task<(Guid Id, string QueueId, string Recipient)> DeliveredAsync(string prefix, string? to = null)
    {
        to ??= Stack.NewMailbox(prefix);
        var id = await TestSendAsync(to);
        await Eventually.HoldsAsync(async () => (await DeliveryAsync(id)).GetProperty("status").GetString() == "delivered", Patience, $"delivery {id} delivered");
        return (id, (await DeliveryAsync(id)).GetProperty("queue_id").GetString()!, to);
    }

    private async Task<List<JsonElement>> RejectedAsync(string query) =>
        (await NotifierApp.JsonAsync(await Admin().GetAsync($"/api/admin/reports/rejected?limit=200&{query}"), HttpStatusCode.OK))
        .GetProperty("items").EnumerateArray().ToList();

    /// <summary>Sends <paramref name="report"/> to the listener as an outsider would; the listener's answer.</summary>
    private static async Task<string> SendReportAsync(MimeMessage report, params string[] recipients)
    {
        using var smtp = new SmtpClient();
        await smtp.ConnectAsync("127.0.0.1", NotifierApp.BouncePort, MailKit.Security.SecureSocketOptions.None);
        var reply = await smtp.SendAsync(report, ReportSender, recipients.Select(MailboxAddress.Parse));
        await smtp.DisconnectAsync(true);
        return reply;
    }

    private async Task AssertUntouchedAsync(Guid id, string recipient)
    {
        var delivery = await DeliveryAsync(id);
        Assert.Equal("delivered", delivery.GetProperty("status").GetString());
        Assert.DoesNotContain(delivery.GetProperty("reports").EnumerateArray(), r => r.GetProperty("source").GetString() == "dsn");
        var suppressions = await NotifierApp.JsonAsync(await Admin().GetAsync("/api/admin/suppressions"), HttpStatusCode.OK);
        Assert.DoesNotContain(suppressions.EnumerateArray(), s => string.Equals(s.GetProperty("address").GetString(), recipient, StringComparison.OrdinalIgnoreCase));
    }

    private static string Domain => NotifierApp.BounceDomain;

    [Fact]
    public async Task A_forged_report_with_NUL_characters_is_recorded_as_rejected_not_retried_for_ever()
    {
        // A NUL cannot be stored: unless the fields are cleaned, the listener could only answer
        // "try again later", the mail server would retry for days, and operators would see nothing.
        var victim = await DeliveredAsync("nul-victim");
        var marker = $"nul{Guid.NewGuid():N}"[..16];
        var report = DsnMessages.Report(victim.Id + "\0" + marker, victim.QueueId + "\0", "failed", "5.1.1", "550 5.1.1 \0forged", $"bounces@{Domain}", victim.Recipient + "\0");

        // (A 4xx answer would throw here.)
        await SendReportAsync(report, $"bounces@{Domain}");

        await Eventually.HoldsAsync(async () => (await RejectedAsync("reason=unsigned")).Any(r =>
            r.GetProperty("envelope_id").GetString() is { } envelope && envelope.EndsWith(marker, StringComparison.Ordinal)),
            Patience, "the NUL-laden report listed as rejected");
        await AssertUntouchedAsync(victim.Id, victim.Recipient);
    }

    [Fact]
    public async Task Forged_reports_to_the_plain_unsigned_or_wrongly_signed_address_change_nothing_answer_alike_and_are_listed_as_rejected()
    {
        var victim = await DeliveredAsync("victim");
        var forged = () => DsnMessages.Report(victim.Id.ToString(), victim.QueueId, "failed", "5.1.1", "550 5.1.1 forged", $"bounces@{Domain}", victim.Recipient);
        var marker = Guid.NewGuid().ToString("N")[..12];
        string[] addresses =
        [
            $"bounces@{Domain}",
            $"bounces+{victim.Id:N}@{Domain}",
            $"bounces+{victim.Id:N}.{marker}abcd@{Domain}",
            // An id that exists nowhere, wrongly signed: answered exactly like the victim's.
            $"bounces+{Guid.CreateVersion7():N}.{marker}abcd@{Domain}",
        ];

        var replies = new List<string>();
        foreach (var address in addresses)
        {
            replies.Add(await SendReportAsync(forged(), address));
        }

        // The listener says the same to every one of them: nothing tells the attacker whether a delivery exists.
        Assert.Single(replies.Distinct());
        await Eventually.HoldsAsync(async () => (await RejectedAsync("")).Count(r =>
            r.GetProperty("envelope_id").GetString() == victim.Id.ToString() && addresses.Contains(r.GetProperty("return_path").GetString())) == addresses.Length,
            Patience, "the four forged reports listed as rejected");
        var rejected = (await RejectedAsync("")).Where(r => r.GetProperty("envelope_id").GetString() == victim.Id.ToString()).ToList();
        Assert.Equal(2, rejected.Count(r => r.GetProperty("reason").GetString() == "unsigned"));
        Assert.Equal(2, rejected.Count(r => r.GetProperty("reason").GetString() == "bad_signature"));
        Assert.All(rejected, r => Assert.Equal(JsonValueKind.Null, r.GetProperty("delivery_id").ValueKind));
        Assert.All(rejected, r => Assert.Equal(("failed", victim.QueueId, "mailer-daemon@mx.attacker.test"),
            (r.GetProperty("action").GetString(), r.GetProperty("queue_id").GetString(), r.GetProperty("sender").GetString()!.ToLowerInvariant())));
        Assert.Contains(await RejectedAsync("reason=bad_signature"), r => r.GetProperty("return_path").GetString() == addresses[2]);
        var bad = await NotifierApp.JsonAsync(await Admin().GetAsync("/api/admin/reports/rejected?reason=forged"), HttpStatusCode.BadRequest);
        Assert.Contains("Unknown reason 'forged'", bad.GetProperty("errors").GetProperty("reason")[0].GetString());
        // Counted for the operators' alerts.
        var metrics = await Admin().GetStringAsync("/metrics");
        Assert.Matches("salesmind_delivery_reports_rejected_total\\{[^}]*reason=\"bad_signature\"[^}]*\\} [1-9]", metrics);

        await AssertUntouchedAsync(victim.Id, victim.Recipient);
    }

    [Fact]
    public async Task A_report_sent_to_ones_own_signed_address_but_naming_another_delivery_changes_neither()
    {
        var victim = await DeliveredAsync("victim");
        var attacker = await DeliveredAsync("attacker");
        // The attacker received an email: its Return-Path is a validly signed address, for that email only.
        var ownPath = Assert.Single(Mailbox.For(attacker.Recipient)).Headers["Return-Path"]!.Trim('<', '>', ' ');

        MimeMessage Forged(string? envelopeId, string? queueId, string finalRecipient) =>
            DsnMessages.Report(envelopeId, queueId, "failed", "5.1.1", "550 5.1.1 forged", ownPath, finalRecipient);
        await SendReportAsync(Forged(victim.Id.ToString(), attacker.QueueId, attacker.Recipient), ownPath);
        await SendReportAsync(Forged(null, victim.QueueId, attacker.Recipient), ownPath);
        await SendReportAsync(Forged(attacker.Id.ToString(), attacker.QueueId, victim.Recipient), ownPath);

        await Eventually.HoldsAsync(async () => (await RejectedAsync($"delivery={attacker.Id}")).Count == 3, Patience, "three rejected reports for the attacker's delivery");
        var reasons = (await RejectedAsync($"delivery={attacker.Id}")).Select(r => r.GetProperty("reason").GetString()).Order().ToList();
        Assert.Equal(["envelope_id_mismatch", "queue_id_mismatch", "recipient_mismatch"], reasons);
        // Listed where the delivery's reports are, too.
        Assert.Equal(3, (await DeliveryAsync(attacker.Id)).GetProperty("rejected_reports").GetArrayLength());

        await AssertUntouchedAsync(victim.Id, victim.Recipient);
        await AssertUntouchedAsync(attacker.Id, attacker.Recipient);
    }

    [Fact]
    public async Task One_report_changes_at_most_one_delivery_whatever_number_of_groups_or_recipients_it_carries()
    {
        var bounces = app.Services.GetRequiredService<IOptions<BounceOptions>>().Value;
        var victim = await DeliveredAsync("victim");
        // Two emails to one address: a report naming only the address agrees with both.
        var shared = Stack.NewMailbox("two-emails");
        var first = await DeliveredAsync("two-emails", shared);
        var second = await DeliveredAsync("two-emails", shared);

        // Queue id guessing: one report, a thousand recipient groups.
        var guessing = DsnMessages.Report(null, null, "failed", "5.1.1", "550 5.1.1 forged", bounces.ReturnPath(first.Id), shared, groups: 1000);
        await SendReportAsync(guessing, bounces.ReturnPath(first.Id));
        await Eventually.HoldsAsync(async () => (await RejectedAsync($"delivery={first.Id}")).Any(r => r.GetProperty("reason").GetString() == "malformed"),
            Patience, "the thousand-group report rejected");
        Assert.Equal("delivered", (await DeliveryAsync(first.Id)).GetProperty("status").GetString());

        // One message to both signed addresses, the plain one and the victim's unsigned one.
        var report = DsnMessages.Report(null, null, "failed", "5.1.1", "550 5.1.1 mailbox gone", shared, shared);
        await SendReportAsync(report, bounces.ReturnPath(first.Id), bounces.ReturnPath(second.Id), $"bounces@{Domain}", $"bounces+{victim.Id:N}@{Domain}");

        await Eventually.HoldsAsync(async () => (await DeliveryAsync(first.Id)).GetProperty("status").GetString() == "bounced", Patience, "the first signed recipient's delivery bounced");
        await Eventually.HoldsAsync(async () => (await RejectedAsync($"delivery={second.Id}")).Any(r => r.GetProperty("reason").GetString() == "one_delivery_per_report"),
            Patience, "the second signed recipient rejected");
        Assert.Equal("delivered", (await DeliveryAsync(second.Id)).GetProperty("status").GetString());
        Assert.Contains(await RejectedAsync("reason=unsigned"), r => r.GetProperty("return_path").GetString() == $"bounces+{victim.Id:N}@{Domain}");
        await AssertUntouchedAsync(victim.Id, victim.Recipient);
    }

    [Fact]
    public async Task Postfixs_own_report_of_a_hard_bounce_sent_to_the_signed_return_path_bounces_the_delivery()
    {
        // A real DSN from the stack's Postfix: a message to bounce.test whose return path is a
        // mailbox here, with an ENVID and NOTIFY=FAILURE as the Notifier sends them.
        var returnPath = Stack.NewMailbox("dsn-capture");
        var recipient = $"gone-{Guid.NewGuid():N}@bounce.test";
        var id = Guid.CreateVersion7();
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("no-reply@salesmind.test"));
        message.To.Add(MailboxAddress.Parse(recipient));
        message.Subject = "to be bounced";
        message.Headers.Add("X-Envelope-Id", id.ToString());
        message.Body = new TextPart("plain") { Text = "to be bounced" };
        string reply;
        using (var client = new EnvelopeIdClient())
        {
            await client.ConnectAsync(Stack.SmtpHost, Stack.SmtpPort, MailKit.Security.SecureSocketOptions.None);
            reply = await client.SendAsync(message, MailboxAddress.Parse(returnPath), [MailboxAddress.Parse(recipient)]);
            await client.DisconnectAsync(true);
        }

        var queueId = MailKitSmtpSender.ParseQueueId(reply)!;
        var dsn = Assert.Single(await Mailbox.WaitForAsync(returnPath, Patience));
        await app.Database.ExecuteAsync("""
            INSERT INTO deliveries (id, source_message_id, template, locale, recipient, subject, html_body, text_body,
                                    status, attempts, next_attempt_at, queue_id, created_at, updated_at, sent_at)
            VALUES ($1, $2, 'welcome', 'en', $3, 'to be bounced', '<p>x</p>', 'x', 'sent', 1, now(), $4, now(), now(), now())
            """, id, Guid.NewGuid(), recipient, queueId);
        var bounces = app.Services.GetRequiredService<IOptions<BounceOptions>>().Value;

        // Relayed unchanged to the delivery's signed return path, as the bounce domain's transport would.
        await SendReportAsync(dsn, bounces.ReturnPath(id));

        // (The mail log may have told the same news first: the report must be accepted as well, not rejected.)
        await Eventually.HoldsAsync(async () => (await DeliveryAsync(id)).GetProperty("reports").EnumerateArray()
            .Any(r => r.GetProperty("source").GetString() == "dsn" && r.GetProperty("action").GetString() == "failed"), Patience, "the real report recorded");
        var delivery = await DeliveryAsync(id);
        Assert.Equal("bounced", delivery.GetProperty("status").GetString());
        Assert.Contains("5.1.1", delivery.GetProperty("last_error").GetString());
        Assert.Empty(await RejectedAsync($"delivery={id}"));
    }

    [Fact]
    public async Task A_MAIL_FROM_shaped_like_a_log_line_sent_through_the_real_mail_server_does_not_bounce_the_victim()
    {
        var victim = await DeliveredAsync("victim");

        // The attack: Postfix writes this sender, quoted but verbatim, into its own log line.
        var sender = $"\"postfix/error[1]: {victim.QueueId}: to=<{victim.Recipient}>, relay=none, delay=0, delays=0/0/0/0, dsn=5.1.1, status=bounced (forged\"@evil.test";
        var expired = $"\"postfix/qmgr[1]: {victim.QueueId}: from=<>, status=expired, returned to sender\"@evil.test";
        await RawSmtp.SendAsync(Stack.SmtpHost, Stack.SmtpPort, sender, Stack.NewMailbox("injected"));
        await RawSmtp.SendAsync(Stack.SmtpHost, Stack.SmtpPort, expired, Stack.NewMailbox("injected"));
        await Eventually.HoldsAsync(() => Task.FromResult(File.ReadLines(Stack.PostfixLog).Any(l => l.Contains($"from=<{sender}>", StringComparison.Ordinal))),
            Patience, "the mail server logged the sender verbatim");

        // A later email of ours ends delivered from the log: the follower has read past the injected lines.
        await DeliveredAsync("after-injection");

        await AssertUntouchedAsync(victim.Id, victim.Recipient);
        Assert.Single((await DeliveryAsync(victim.Id)).GetProperty("reports").EnumerateArray());
    }

    [Fact]
    public async Task Injected_lines_appended_to_the_followed_log_change_nothing_while_a_real_line_after_them_is_applied()
    {
        var victimQueueId = NewQueueId();
        var controlQueueId = NewQueueId();
        var victim = await SentDeliveryAsync(victimQueueId, Stack.NewMailbox("victim"));
        var control = await SentDeliveryAsync(controlQueueId, $"control-{Guid.NewGuid():N}@bounce.test");
        var log = Path.Combine(Path.GetTempPath(), $"salesmind-maillog-{Guid.NewGuid():N}.log");
        var stamp = "Nov 29 15:42:27 mail";
        await File.WriteAllLinesAsync(log, [$"{stamp} postfix/master[3991]: daemon started -- version 3.7.11"]);
        // A place of its own in mail_log_positions (and its own lock): the app's follower keeps "postfix".
        var logOptions = Options.Create(new MailLogOptions { MailLogPath = log, MailLogName = $"forged-{Guid.NewGuid():N}" });
        var follower = new MailLogFollower(app.Services.GetRequiredService<IServiceScopeFactory>(), new PostfixMailLog(logOptions),
            logOptions, Options.Create(new BounceOptions()), new MailLogHealth(TimeProvider.System, NullLogger<MailLogHealth>.Instance),
            TimeProvider.System, NullLogger<MailLogFollower>.Instance);
        await follower.StartAsync(CancellationToken.None);
        try
        {
            await File.AppendAllLinesAsync(log,
            [
                $"{stamp} postfix/qmgr[3993]: 4jcrxv44jNzm53T: from=<\"postfix/error[1]: {victimQueueId}: to=<v@mail.test>, relay=none, delay=0, delays=0/0/0/0, dsn=5.1.1, status=bounced (forged\"@evil.test>, size=388, nrcpt=1 (queue active)",
                $"{stamp} postfix/qmgr[3993]: 4jcrxv44jNzm53T: from=<\"postfix/qmgr[1]: {victimQueueId}: from=<>, status=expired, returned to sender\"@evil.test>, size=388, nrcpt=1 (queue active)",
                $"{stamp} postfix/smtpd[11792]: warning: non-SMTP command from unknown[127.0.0.1]: {stamp} postfix/error[1]: {victimQueueId}: to=<v@mail.test>, relay=none, delay=0, delays=0/0/0/0, dsn=5.1.1, status=bounced (forged)",
                $"{stamp} postfix/smtpd[11792]: NOQUEUE: reject: RCPT from unknown[127.0.0.1]: 554 5.7.1 Relay access denied; from=<\"{victimQueueId}: to=<v@mail.test>, dsn=5.1.1, status=bounced (x)\"@evil.test> to=<a@b> proto=ESMTP helo=<t>",
                $"junk {stamp} postfix/error[4785]: {victimQueueId}: to=<v@mail.test>, relay=none, delay=0.05, delays=0.04/0.01/0/0.01, dsn=5.1.1, status=bounced (forged)",
                $"{stamp} postfix/error[4785]: {controlQueueId}: to=<control@bounce.test>, relay=none, delay=0.05, delays=0.04/0.01/0/0.01, dsn=5.1.1, status=bounced (simulated hard bounce)",
            ]);

            // The real line after the injected ones is applied: they were all read by then.
            await Eventually.HoldsAsync(async () => await StatusAsync(control) == "bounced", Patience, "the real log line applied");
            Assert.Equal("sent", await StatusAsync(victim));
            Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM delivery_reports WHERE delivery_id = $1", victim));
        }
        finally
        {
            await follower.StopAsync(CancellationToken.None);
            follower.Dispose();
            File.Delete(log);
        }
    }

    private Task<string?> StatusAsync(Guid id) => app.Database.ScalarAsync<string>("SELECT status FROM deliveries WHERE id = $1", id);

    private async Task<Guid> SentDeliveryAsync(string queueId, string recipient)
    {
        var id = Guid.CreateVersion7();
        await app.Database.ExecuteAsync("""
            INSERT INTO deliveries (id, source_message_id, template, locale, recipient, subject, html_body, text_body,
                                    status, attempts, next_attempt_at, queue_id, created_at, updated_at, sent_at)
            VALUES ($1, $2, 'welcome', 'en', $3, 'sent', '<p>x</p>', 'x', 'sent', 1, now(), $4, now(), now(), now())
            """, id, Guid.NewGuid(), recipient, queueId);
        return id;
    }

    /// <summary>A queue id in Postfix's long form (base 52 without vowels) that no message has.</summary>
    private static string NewQueueId()
    {
        const string alphabet = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxy";
        return "4jt" + string.Concat(Enumerable.Range(0, 12).Select(_ => alphabet[Random.Shared.Next(alphabet.Length)]));
    }


    /// <summary>Asks for a failure report with an ENVID, as the Notifier's sender does.</summary>
    private sealed class EnvelopeIdClient : SmtpClient
    {
        public EnvelopeIdClient() => DeliveryStatusNotificationType = DeliveryStatusNotificationType.HeadersOnly;

        protected override string? GetEnvelopeId(MimeMessage message) => message.Headers["X-Envelope-Id"];

        protected override MailKit.DeliveryStatusNotification? GetDeliveryStatusNotifications(MimeMessage message, MailboxAddress mailbox) =>
            MailKit.DeliveryStatusNotification.Failure;
    }
}
