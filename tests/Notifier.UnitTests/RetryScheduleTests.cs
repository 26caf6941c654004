using System.Net.Sockets;
using MailKit.Net.Smtp;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Sending;

namespace SalesMind.Notifier.UnitTests;

/// <summary>Which failures are tried again, and when.</summary>
public sealed class RetryScheduleTests
{
    [Fact]
    public void Each_wait_follows_the_schedule_within_ten_percent_and_the_last_one_repeats()
    {
        var options = new DeliveryOptions { RetryDelays = [TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2)] };
        for (var i = 0; i < 50; i++)
        {
            Assert.InRange(options.DelayAfter(1), TimeSpan.FromSeconds(27), TimeSpan.FromSeconds(33));
            Assert.InRange(options.DelayAfter(2), TimeSpan.FromSeconds(108), TimeSpan.FromSeconds(132));
            Assert.InRange(options.DelayAfter(9), TimeSpan.FromSeconds(108), TimeSpan.FromSeconds(132));
        }

        Assert.Equal(3, options.MaxAttempts);
    }

    [Fact]
    public void The_default_schedule_spans_about_a_day()
    {
        var total = DeliveryOptions.DefaultRetryDelays.Aggregate(TimeSpan.Zero, (a, b) => a + b);
        Assert.InRange(total, TimeSpan.FromHours(20), TimeSpan.FromHours(26));
    }

    [Theory]
    [InlineData(421, true)]
    [InlineData(450, true)]
    [InlineData(451, true)]
    [InlineData(550, false)]
    [InlineData(554, false)]
    public void A_4xx_reply_is_tried_again_and_a_5xx_reply_is_not(int code, bool transient) =>
        Assert.Equal(transient, MailKitSmtpSender.IsTransient(new SmtpCommandException(SmtpErrorCode.MessageNotAccepted, (SmtpStatusCode)code, "reply")));

    [Fact]
    public void Failing_to_reach_the_server_is_tried_again_and_a_bug_is_not()
    {
        Assert.True(MailKitSmtpSender.IsTransient(new SocketException()));
        Assert.True(MailKitSmtpSender.IsTransient(new IOException()));
        Assert.True(MailKitSmtpSender.IsTransient(new TimeoutException()));
        Assert.False(MailKitSmtpSender.IsTransient(new InvalidOperationException()));
    }

    [Theory]
    [InlineData("2.0.0 Ok: queued as 4jcQzHmPztTfT", "4jcQzHmPztTfT")]
    [InlineData("2.0.0 Ok", null)]
    public void The_queue_id_is_read_from_the_servers_reply(string reply, string? queueId) =>
        Assert.Equal(queueId, MailKitSmtpSender.ParseQueueId(reply));
}
