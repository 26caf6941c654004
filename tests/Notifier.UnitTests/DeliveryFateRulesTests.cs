using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailKit.Net.Smtp;
using MimeKit;
using Microsoft.Extensions.DependencyInjection;
using SalesMind.TestSupport;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Outcomes;

namespace SalesMind.Notifier.UnitTests;

/// <summary>How reports and log lines are read, and what each does to a delivery's status.</summary>
public sealed class DeliveryFateRulesTests
{
    [Fact]
    public void A_delivery_status_notification_is_read_per_recipient()
    {
        var report = DsnParser.Parse(DsnMessages.Report("0193f4a2-9b3d-7e10-8c42-5d6e7f8a9b0c", "4jcQ", "failed", "5.1.1", "550 5.1.1 User unknown", "x@y.test"));
        var entry = Assert.Single(report!.Entries);

        Assert.Equal(("0193f4a2-9b3d-7e10-8c42-5d6e7f8a9b0c", "4jcQ", "failed", "5.1.1"), (report.EnvelopeId, report.QueueId, entry.Action, entry.Status));
        Assert.Null(report.Problem);
        Assert.Equal("someone@example.com", entry.FinalRecipient);
        Assert.Equal("550 5.1.1 User unknown", entry.Diagnostic);
        Assert.Equal("mx.example.com", entry.RemoteMta);
    }

    [Fact]
    public void A_message_that_is_not_a_report_yields_nothing()
    {
        var message = new MimeMessage { Subject = "Out of office", Body = new TextPart("plain") { Text = "Away until Monday." } };

        Assert.Null(DsnParser.Parse(message));
    }

    [Theory]
    [InlineData("Nov 28 17:59:33 mail postfix/virtual[2379]: 4jcJ2Y5HmPztTfT: to=<a@mail.test>, relay=virtual, delay=0.01, delays=0/0/0/0, dsn=2.0.0, status=sent (delivered to maildir)",
        "4jcJ2Y5HmPztTfT", "delivered", "2.0.0", "delivered to maildir")]
    [InlineData("Nov 28 18:04:10 mail postfix/error[4785]: 4jcJ7t4kJGztTbT: to=<d@defer.test>, relay=none, delay=0.05, delays=0.04/0.01/0/0.01, dsn=4.4.1, status=deferred (simulated deferral)",
        "4jcJ7t4kJGztTbT", "delayed", "4.4.1", "simulated deferral")]
    [InlineData("Nov 28 18:04:10 mail postfix/error[4785]: 4jcJ7tBBBBztTbT: to=<b@bounce.test>, relay=none, delay=0.05, delays=0.04/0.01/0/0.01, dsn=5.1.1, status=bounced (simulated hard bounce)",
        "4jcJ7tBBBBztTbT", "failed", "5.1.1", "simulated hard bounce")]
    [InlineData("Nov 28 18:05:24 mail postfix/qmgr[4207]: 4jcJ7t4kJGztTbT: from=<bounces+01a2@bounces.salesmind.test>, status=expired, returned to sender",
        "4jcJ7t4kJGztTbT", "failed", "4.4.7", "expired in the mail server's queue, returned to sender")]
    public void Mail_log_lines_become_outcomes(string line, string queueId, string action, string status, string text)
    {
        var outcome = PostfixOutcome.Parse(line);

        Assert.NotNull(outcome);
        Assert.Equal((queueId, action, status, text), (outcome.QueueId, outcome.Action, outcome.Status, outcome.Diagnostic));
    }

    [Theory]
    [InlineData("Nov 28 18:04:10 mail postfix/qmgr[4207]: 4jcJ7t4kJGztTbT: from=<x@y>, size=1663, nrcpt=1 (queue active)")]
    [InlineData("Nov 28 18:04:10 mail postfix/smtpd[4767]: NOQUEUE: reject: RCPT from unknown[127.0.0.1]: 550 5.1.1 <r@reject.test>: Recipient address rejected")]
    public void Other_log_lines_are_ignored(string line) => Assert.Null(PostfixOutcome.Parse(line));

    [Theory]
    [InlineData(DeliveryStatus.Sent, "delivered", DeliveryStatus.Delivered)]
    [InlineData(DeliveryStatus.Sent, "relayed", DeliveryStatus.Delivered)]
    [InlineData(DeliveryStatus.Sent, "delayed", DeliveryStatus.Deferred)]
    [InlineData(DeliveryStatus.Sent, "failed", DeliveryStatus.Bounced)]
    [InlineData(DeliveryStatus.Deferred, "failed", DeliveryStatus.Bounced)]
    [InlineData(DeliveryStatus.Deferred, "delivered", DeliveryStatus.Delivered)]
    [InlineData(DeliveryStatus.Delivered, "failed", DeliveryStatus.Bounced)]
    [InlineData(DeliveryStatus.Delivered, "delayed", null)]
    [InlineData(DeliveryStatus.Bounced, "delivered", null)]
    [InlineData(DeliveryStatus.Bounced, "delayed", null)]
    [InlineData(DeliveryStatus.Deferred, "delayed", null)]
    [InlineData(DeliveryStatus.Failed, "failed", null)]
    public void A_report_moves_a_delivery_forward_never_back(DeliveryStatus current, string action, DeliveryStatus? expected) =>
        Assert.Equal(expected, Delivery.StatusAfterReport(current, action));
}
