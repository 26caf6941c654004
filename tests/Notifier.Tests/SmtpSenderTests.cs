using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;
using SalesMind.TestSupport;
using SalesMind.Notifier.Sending;

namespace SalesMind.Notifier.Tests;

/// <summary>The SMTP wrapper against the stack's real Postfix and its outcome domains.</summary>
public sealed partial class SmtpSenderTests : IAsyncLifetime
{
    private readonly MailKitSmtpSender _sender = new(Options.Create(new SmtpOptions { Host = Stack.SmtpHost, Port = Stack.SmtpPort }));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _sender.DisposeAsync();

    private static MimeMessage Message(string to)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("SalesMind", "no-reply@salesmind.test"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = "smtp wrapper test";
        message.Body = new TextPart("plain") { Text = "hello" };
        return message;
    }

    [Fact]
    public async Task Mail_for_the_test_domain_is_accepted_with_a_queue_id_and_delivered()
    {
        var to = Stack.NewMailbox("smtp");

        var accepted = await _sender.SendAsync(Message(to), null, CancellationToken.None);

        Assert.Matches("^[A-Za-z0-9]{8,}$", accepted.QueueId);
        Assert.Contains(accepted.QueueId!, accepted.Reply);
        var delivered = Assert.Single(await Mailbox.WaitForAsync(to, TimeSpan.FromSeconds(10)));
        Assert.Equal("smtp wrapper test", delivered.Subject);
    }

    [Fact]
    public async Task Pooled_connections_carry_many_messages()
    {
        const int poolSize = 4;
        const int messages = 20;
        await using var sender = new MailKitSmtpSender(Options.Create(new SmtpOptions { Host = Stack.SmtpHost, Port = Stack.SmtpPort, MaxConnections = poolSize }));
        var logStart = new FileInfo(Stack.PostfixLog).Length;
        var recipients = Enumerable.Range(0, messages).Select(_ => Stack.NewMailbox("pool")).ToList();

        var results = await Task.WhenAll(recipients.Select(r => sender.SendAsync(Message(r), null, CancellationToken.None)));

        var queueIds = results.Select(r => r.QueueId!).ToHashSet();
        Assert.Equal(messages, queueIds.Count);
        // Postfix names the session each message came in on; the sender's are at most its pool.
        Dictionary<string, string> sessions = [];
        await Eventually.HoldsAsync(() =>
        {
            sessions = PostfixSessions(logStart, queueIds);
            return Task.FromResult(sessions.Count == messages);
        }, TimeSpan.FromSeconds(10), "Postfix logs every message's session");
        Assert.InRange(sessions.Values.Distinct().Count(), 1, poolSize);
    }

    /// <summary>
    /// The SMTP session each of <paramref name="queueIds"/> arrived on, from the Postfix log after
    /// <paramref name="offset"/>: an smtpd process serves one session at a time, from its
    /// "connect from" line on, so a session is the process id and how many connects it had logged.
    /// </summary>
    private static Dictionary<string, string> PostfixSessions(long offset, IReadOnlySet<string> queueIds)
    {
        using var stream = new FileStream(Stack.PostfixLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        stream.Seek(offset, SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        var connects = new Dictionary<string, int>();
        var sessions = new Dictionary<string, string>();
        for (var line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            var match = SmtpdLine().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var process = match.Groups["pid"].Value;
            if (match.Groups["rest"].Value.StartsWith("connect from ", StringComparison.Ordinal))
            {
                connects[process] = connects.GetValueOrDefault(process) + 1;
            }
            else if (match.Groups["queue"].Success && queueIds.Contains(match.Groups["queue"].Value))
            {
                sessions[match.Groups["queue"].Value] = $"{process}#{connects.GetValueOrDefault(process)}";
            }
        }

        return sessions;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"postfix/smtpd\[(?<pid>\d+)\]: (?:(?<queue>[A-Za-z0-9]+): client=)?(?<rest>.*)$")]
    private static partial System.Text.RegularExpressions.Regex SmtpdLine();

    [Fact]
    public async Task A_hard_bounce_at_submission_is_permanent()
    {
        var ex = await Assert.ThrowsAsync<SmtpRejectedException>(() => _sender.SendAsync(Message("x@reject.test"), null, CancellationToken.None));

        Assert.True(ex.IsPermanent);
        Assert.InRange(ex.Code, 500, 599);
    }

    [Fact]
    public async Task A_deferral_at_submission_is_temporary()
    {
        var ex = await Assert.ThrowsAsync<SmtpRejectedException>(() => _sender.SendAsync(Message("x@tempfail.test"), null, CancellationToken.None));

        Assert.False(ex.IsPermanent);
        Assert.InRange(ex.Code, 400, 499);
    }

    [Fact]
    public async Task A_server_that_is_not_there_is_a_transient_connection_failure()
    {
        await using var nowhere = new MailKitSmtpSender(Options.Create(new SmtpOptions { Host = "127.0.0.1", Port = 9 }));

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => nowhere.SendAsync(Message("x@mail.test"), null, CancellationToken.None));

        Assert.IsNotType<SmtpRejectedException>(ex);
        Assert.True(MailKitSmtpSender.IsTransient(ex));
    }

    [Theory]
    [InlineData("2.0.0 Ok: queued as 4jcCcW4l6Pz1hsHJ", "4jcCcW4l6Pz1hsHJ")]
    [InlineData("2.0.0 Ok", null)]
    public void The_queue_id_is_read_from_the_reply(string reply, string? queueId)
    {
        Assert.Equal(queueId, MailKitSmtpSender.ParseQueueId(reply));
    }

    [Fact]
    public void Only_4xx_replies_and_connection_failures_are_transient()
    {
        Assert.True(MailKitSmtpSender.IsTransient(new SmtpCommandException(SmtpErrorCode.RecipientNotAccepted, SmtpStatusCode.MailboxBusy, "busy")));
        Assert.False(MailKitSmtpSender.IsTransient(new SmtpCommandException(SmtpErrorCode.RecipientNotAccepted, SmtpStatusCode.MailboxUnavailable, "no such user")));
        Assert.True(MailKitSmtpSender.IsTransient(new IOException("connection reset")));
        Assert.False(MailKitSmtpSender.IsTransient(new InvalidOperationException()));
    }
}
