using System.IO.Compression;
using MailKit.Net.Smtp;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Outcomes;
using SalesMind.Notifier.Rendering;
using SalesMind.Notifier.Sending;
using SalesMind.TestSupport;

namespace SalesMind.Notifier.Tests;

/// <summary>
/// A log rotation while deliveries are in doubt: the Notifier died after handing messages to the
/// real Postfix and before recording its answers, and the log lines that prove the hand-over
/// were then rotated away (renamed, gzipped). The deliveries are settled from the rotated files,
/// none is sent twice, their fates are not lost, and a restart resumes from the stored place.
/// </summary>
/// <remarks>
/// The stack's own Postfix log is shared by every test and the stack's services, and rotating it
/// takes root (<c>postfix logrotate</c> signals the master), so this test's Notifier reads a log
/// the test owns: the stack Postfix's real lines about this test's messages, copied into it in
/// the order Postfix wrote them, and rotated the way <c>postfix logrotate</c> (rename, gzip) and
/// logrotate (rename to <c>.1</c>) do. The Notifier runs on a database and virtual host of its
/// own, so no other instance settles these deliveries from the stack's log.
/// </remarks>
[Collection(NotifierCollection.Name)]
public sealed class MailLogRotationTests(NotifierApp app) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    private readonly TestDatabase _database = TestDatabase.Named("notifier_rotation");
    private readonly string _dir = Directory.CreateTempSubdirectory("salesmind-rotation-").FullName;
    private TestVirtualHost _vhost = null!;

    private string LogPath => Path.Combine(_dir, "postfix.log");

    public async Task InitializeAsync()
    {
        _vhost = await TestVirtualHost.CreateAsync("notifier-rotation");
        // Migrated before the Notifier starts, so its follower and dispatcher begin on the real schema.
        await using var db = new NotifierDb(new DbContextOptionsBuilder<NotifierDb>().UseNpgsql(_database.ConnectionString).Options);
        await db.Database.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        await _vhost.DisposeAsync();
        await _database.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A Notifier of this test's own: its database, its virtual host, the log this test owns.</summary>
    private WebApplicationFactory<Program> StartNotifier()
    {
        var notifier = app.WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:Notifier", _database.ConnectionString);
            b.UseSetting("RabbitMq:VirtualHost", _vhost.Name);
            b.UseSetting("Smtp:MailLogPath", LogPath);
            b.UseSetting("Bounces:ListenPort", "0");
        });
        _ = notifier.Services;
        return notifier;
    }

    /// <summary>A delivery as a dispatcher leaves it when it is killed mid-send, locked until the test lets it be settled.</summary>
    private async Task<Guid> InDoubtDeliveryAsync(string recipient)
    {
        var id = Guid.CreateVersion7();
        await _database.ExecuteAsync("""
            INSERT INTO deliveries (id, source_message_id, template, locale, recipient, subject, html_body, text_body,
                                    status, attempts, next_attempt_at, locked_until, created_at, updated_at)
            VALUES ($1, $2, 'email-verification', 'en', $3, 'in doubt', '<p>in doubt</p>', 'in doubt',
                    'sending', 1, now(), now() + interval '1 hour', now(), now())
            """, id, Guid.NewGuid(), recipient);
        return id;
    }

    /// <summary>A delivery already handed over, known by its queue id, waiting for its fate.</summary>
    private async Task<(Guid Id, string Line)> SentDeliveryAsync(string recipient)
    {
        var id = Guid.CreateVersion7();
        var queueId = NewQueueId();
        await _database.ExecuteAsync("""
            INSERT INTO deliveries (id, source_message_id, template, locale, recipient, subject, html_body, text_body,
                                    status, attempts, next_attempt_at, queue_id, created_at, updated_at, sent_at)
            VALUES ($1, $2, 'welcome', 'en', $3, 'sent', '<p>x</p>', 'x', 'sent', 1, now(), $4, now(), now(), now())
            """, id, Guid.NewGuid(), recipient, queueId);
        // Postfix's virtual(8) verdict, as it writes it.
        return (id, $"Nov 30 03:20:00 mail postfix/virtual[4321]: {queueId}: to=<{recipient}>, relay=virtual, delay=0.02, delays=0.01/0/0/0.01, dsn=2.0.0, status=sent (delivered to maildir)");
    }

    /// <summary>
    /// Hands the delivery's message to the stack's Postfix as the dispatcher would (its
    /// Message-ID, from its signed return path), and returns Postfix's real log lines about it
    /// once it is delivered: cleanup's message-id, qmgr's from, virtual's status=sent.
    /// </summary>
    private static async Task<List<string>> HandOverAsync(IServiceProvider services, Guid deliveryId, string recipient)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("SalesMind", "no-reply@salesmind.test"));
        message.To.Add(MailboxAddress.Parse(recipient));
        message.Subject = "in doubt";
        message.MessageId = $"{deliveryId:N}@{services.GetRequiredService<IOptions<MailOptions>>().Value.MessageIdDomain}";
        message.Body = new TextPart("plain") { Text = "in doubt" };
        var sender = services.GetRequiredService<IOptions<BounceOptions>>().Value.ReturnPath(deliveryId);
        string reply;
        using (var client = new SmtpClient())
        {
            await client.ConnectAsync(Stack.SmtpHost, Stack.SmtpPort, MailKit.Security.SecureSocketOptions.None);
            reply = await client.SendAsync(message, MailboxAddress.Parse(sender), [MailboxAddress.Parse(recipient)]);
            await client.DisconnectAsync(true);
        }

        var queueId = MailKitSmtpSender.ParseQueueId(reply)!;
        List<string> lines = [];
        await Eventually.HoldsAsync(() =>
        {
            lines = StackLogLines(queueId);
            return Task.FromResult(lines.Any(l => l.Contains("/cleanup[", StringComparison.Ordinal))
                && lines.Any(l => l.Contains("/qmgr[", StringComparison.Ordinal) && l.Contains("from=<", StringComparison.Ordinal))
                && lines.Any(l => l.Contains("status=sent", StringComparison.Ordinal)));
        }, Patience, $"the stack's Postfix logged the hand-over and delivery of {queueId}");
        return lines;
    }

    private static List<string> StackLogLines(string queueId)
    {
        using var stream = new FileStream(Stack.PostfixLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var lines = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Contains($": {queueId}: ", StringComparison.Ordinal))
            {
                lines.Add(line);
            }
        }

        return lines;
    }

    private Task AppendAsync(params IEnumerable<string> lines) => File.AppendAllLinesAsync(LogPath, lines);

    /// <summary>A first line of its own for each new file, as Postfix's timestamps give it.</summary>
    private Task StartNewLogAsync() =>
        File.WriteAllLinesAsync(LogPath, [$"Nov 30 03:15:00 mail postfix/postlogd[{Random.Shared.Next(1000, 99999)}]: log file {Guid.NewGuid():N} opened"]);

    /// <summary>What <c>postfix logrotate</c> does: rename to a dated name, then gzip it (maillog_file_compressor); Postfix starts a new file.</summary>
    private async Task PostfixLogrotateAsync()
    {
        var rotated = $"{LogPath}.{DateTime.UtcNow:yyyyMMdd-HHmmss}";
        File.Move(LogPath, rotated);
        await using (var input = File.OpenRead(rotated))
        await using (var output = new GZipStream(File.Create(rotated + ".gz"), CompressionLevel.Optimal))
        {
            await input.CopyToAsync(output);
        }

        File.Delete(rotated);
        await StartNewLogAsync();
    }

    /// <summary>What logrotate does (without copytruncate): shift the numbered files, rename the log to .1, a new file starts.</summary>
    private async Task LogrotateAsync()
    {
        if (File.Exists(LogPath + ".1"))
        {
            File.Move(LogPath + ".1", LogPath + ".2", overwrite: true);
        }

        File.Move(LogPath, LogPath + ".1");
        await StartNewLogAsync();
    }

    private Task<string?> StatusAsync(Guid id) => _database.ScalarAsync<string>("SELECT status FROM deliveries WHERE id = $1", id);

    private Task<int> AttemptsAsync(Guid id) => _database.ScalarAsync<int>("SELECT attempts FROM deliveries WHERE id = $1", id);

    /// <summary>The follower's stored place has reached the end of the current log.</summary>
    private Task PlaceAtEndOfLogAsync() =>
        Eventually.HoldsAsync(async () =>
            await _database.ScalarAsync<string>("SELECT file_id FROM mail_log_positions WHERE name = 'postfix'") == FileIdentity.Of(LogPath)
            && await _database.ScalarAsync<long>("""SELECT "offset" FROM mail_log_positions WHERE name = 'postfix'""") == new FileInfo(LogPath).Length,
            Patience, "the follower's stored place is the end of the current log");

    /// <summary>
    /// A message of another sender on the same mail server, deferred again and again with the same
    /// reply: its log lines differ only in their delays, so the follower reads the same news twice
    /// while it waits for a delivery of that queue id. That must not stop the follower (it once
    /// threw on the repeat and read the same lines again for ever): the fate after them still lands.
    /// </summary>
    [Fact]
    public async Task Lines_repeated_word_for_word_about_a_message_not_ours_do_not_stop_the_follower()
    {
        await StartNewLogAsync();
        var notifier = StartNotifier();
        try
        {
            var (ours, delivered) = await SentDeliveryAsync(Stack.NewMailbox("after-repeats"));
            await PlaceAtEndOfLogAsync();
            var other = NewQueueId();
            var deferred = $"Nov 30 05:20:00 mail postfix/error[4321]: {other}: to=<someone@throttle.test>, relay=none, delay=12, " +
                "delays=0.01/0/0/12, dsn=4.7.0, status=deferred (simulated throttling: too many connections, rate limited, try again later)";
            await AppendAsync(deferred, deferred, deferred);
            await PlaceAtEndOfLogAsync();
            await AppendAsync(deferred, delivered);
            await Eventually.HoldsAsync(async () => await StatusAsync(ours) == "delivered", Patience, "the delivery after the repeated lines delivered");
        }
        finally
        {
            await notifier.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_log_rotation_while_deliveries_are_in_doubt_settles_them_from_the_rotated_files_sends_none_twice_loses_no_fate_and_a_restart_resumes_from_the_stored_place()
    {
        await StartNewLogAsync();
        var first = StartNotifier();
        Guid gzipped, split, neverAccepted;
        string gzippedTo, splitTo, neverAcceptedTo;
        try
        {
            // Accepted by Postfix, then its every line rotated away by `postfix logrotate` (gzipped).
            gzippedTo = Stack.NewMailbox("rotated-gzip");
            gzipped = await InDoubtDeliveryAsync(gzippedTo);
            await AppendAsync(await HandOverAsync(first.Services, gzipped, gzippedTo));
            await PostfixLogrotateAsync();

            // Accepted across a rotation: cleanup's line in the file logrotate renamed to .1, the rest in the new file.
            splitTo = Stack.NewMailbox("rotated-split");
            split = await InDoubtDeliveryAsync(splitTo);
            var splitLines = await HandOverAsync(first.Services, split, splitTo);
            var cleanup = splitLines.First(l => l.Contains("/cleanup[", StringComparison.Ordinal));
            await AppendAsync(cleanup);
            await LogrotateAsync();
            await AppendAsync(splitLines.Where(l => l != cleanup));

            // Never accepted (the Notifier died before the data went out): found nowhere, sent once.
            neverAcceptedTo = Stack.NewMailbox("rotated-never");
            neverAccepted = await InDoubtDeliveryAsync(neverAcceptedTo);

            // The dispatcher's lock on them runs out: the in-doubt check settles them now.
            await _database.ExecuteAsync("UPDATE deliveries SET locked_until = now() - interval '1 second' WHERE id = ANY($1)",
                new[] { gzipped, split, neverAccepted });

            foreach (var (id, what) in new[] { (gzipped, "the gzipped rotated file"), (split, "the rotated file and the new one") })
            {
                // "delivered": the verdict line, read while the delivery was in doubt, is not lost either.
                await Eventually.HoldsAsync(async () => await StatusAsync(id) == "delivered", Patience, $"the delivery settled from {what} and delivered");
                Assert.Equal(1, await AttemptsAsync(id));
                Assert.Contains("found in the mail log", await _database.ScalarAsync<string>("SELECT reply FROM delivery_attempts WHERE delivery_id = $1", id));
                Assert.Equal(1L, await _database.ScalarAsync<long>("SELECT count(*) FROM delivery_attempts WHERE delivery_id = $1", id));
            }

            Assert.Single(Mailbox.For(gzippedTo));
            Assert.Single(Mailbox.For(splitTo));

            await Eventually.HoldsAsync(async () => await StatusAsync(neverAccepted) is "sent" or "delivered", Patience, "the never-accepted delivery sent");
            Assert.Equal(2, await AttemptsAsync(neverAccepted));
            Assert.Equal("interrupted", await _database.ScalarAsync<string>(
                "SELECT outcome FROM delivery_attempts WHERE delivery_id = $1 ORDER BY id LIMIT 1", neverAccepted));
            Assert.Single(await Mailbox.WaitForAsync(neverAcceptedTo, Patience));

            // The follower went through both rotations: its place is the end of the newest file.
            await PlaceAtEndOfLogAsync();
        }
        finally
        {
            await first.DisposeAsync();
        }

        // While no Notifier runs: a verdict is written to the log, the log is rotated, and another
        // verdict goes to the new file. Only a follower that resumes from its stored place reads
        // the first: starting afresh, it would read the end of the new file alone.
        var (beforeRotation, beforeLine) = await SentDeliveryAsync(Stack.NewMailbox("down-before"));
        var (afterRotation, afterLine) = await SentDeliveryAsync(Stack.NewMailbox("down-after"));
        await AppendAsync(beforeLine);
        await LogrotateAsync();
        await AppendAsync(afterLine);

        var second = StartNotifier();
        try
        {
            await Eventually.HoldsAsync(async () => await StatusAsync(beforeRotation) == "delivered", Patience, "the verdict written to the old file while down applied");
            await Eventually.HoldsAsync(async () => await StatusAsync(afterRotation) == "delivered", Patience, "the verdict in the new file applied");
            await PlaceAtEndOfLogAsync();

            // Nothing settled before the restart is sent again after it.
            Assert.Equal(1, await AttemptsAsync(gzipped));
            Assert.Equal(1, await AttemptsAsync(split));
            Assert.Equal(2, await AttemptsAsync(neverAccepted));
            Assert.Single(Mailbox.For(gzippedTo));
            Assert.Single(Mailbox.For(splitTo));
        }
        finally
        {
            await second.DisposeAsync();
        }
    }

    /// <summary>A queue id in Postfix's long form (base 52 without vowels) that no message has.</summary>
    private static string NewQueueId()
    {
        const string alphabet = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxy";
        return "4jt" + string.Concat(Enumerable.Range(0, 7).Select(_ => alphabet[Random.Shared.Next(alphabet.Length)]))
            + "z" + string.Concat(Enumerable.Range(0, 5).Select(_ => alphabet[Random.Shared.Next(alphabet.Length)]));
    }
}
