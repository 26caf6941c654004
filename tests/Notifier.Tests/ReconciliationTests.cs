using MailKit.Net.Smtp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;
using SalesMind.TestSupport;

namespace SalesMind.Notifier.Tests;

/// <summary>
/// The hard case at the SMTP boundary: the Notifier died after handing a message over, before
/// recording the answer. The delivery is left in 'sending'; once its lock expires the
/// dispatcher asks Postfix's log whether the message was accepted before sending it again.
/// </summary>
[Collection(NotifierCollection.Name)]
public sealed class ReconciliationTests(NotifierApp app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>A delivery as a dispatcher leaves it when it is killed mid-send.</summary>
    private async Task<Guid> InDoubtDeliveryAsync(string recipient)
    {
        var id = Guid.CreateVersion7();
        await app.Database.ExecuteAsync("""
            INSERT INTO deliveries (id, source_message_id, template, locale, recipient, subject, html_body, text_body,
                                    status, attempts, next_attempt_at, locked_until, created_at, updated_at)
            VALUES ($1, $2, 'email-verification', 'en', $3, 'in doubt', '<p>in doubt</p>', 'in doubt',
                    'sending', 1, now(), now() + interval '2 seconds', now(), now())
            """, id, Guid.NewGuid(), recipient);
        return id;
    }

    /// <summary>Hands the delivery's message to the mail server as the dispatcher would, from its signed return path (or, for an attacker, from <paramref name="sender"/>).</summary>
    private async Task<string> HandOverAsync(Guid deliveryId, string recipient, string? sender = null)
    {
        sender ??= app.Services.GetRequiredService<IOptions<SalesMind.Notifier.Ledger.BounceOptions>>().Value.ReturnPath(deliveryId);
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("SalesMind", "no-reply@salesmind.test"));
        message.To.Add(MailboxAddress.Parse(recipient));
        message.Subject = "in doubt";
        message.MessageId = $"{deliveryId:N}@salesmind.test";
        message.Body = new TextPart("plain") { Text = "in doubt" };
        using var client = new SmtpClient();
        await client.ConnectAsync(Stack.SmtpHost, Stack.SmtpPort, MailKit.Security.SecureSocketOptions.None);
        var reply = await client.SendAsync(message, MailboxAddress.Parse(sender), [MailboxAddress.Parse(recipient)]);
        await client.DisconnectAsync(true);
        return reply;
    }

    private Task<string?> StatusAsync(Guid id) => app.Database.ScalarAsync<string>("SELECT status FROM deliveries WHERE id = $1", id);

    [Fact]
    public async Task A_message_the_server_accepted_before_the_crash_is_marked_sent_and_not_sent_again()
    {
        var to = Stack.NewMailbox("accepted");
        var id = await InDoubtDeliveryAsync(to);
        var reply = await HandOverAsync(id, to);

        await Eventually.HoldsAsync(async () => await StatusAsync(id) is "sent" or "delivered", Patience, "in-doubt delivery settled as sent");
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Single(Mailbox.For(to));
        var queueId = await app.Database.ScalarAsync<string>("SELECT queue_id FROM deliveries WHERE id = $1", id);
        Assert.Contains($"queued as {queueId}", reply);
        Assert.Equal(1, await app.Database.ScalarAsync<int>("SELECT attempts FROM deliveries WHERE id = $1", id));
        var note = await app.Database.ScalarAsync<string>("SELECT reply FROM delivery_attempts WHERE delivery_id = $1", id);
        Assert.Contains("found in the mail log", note);
    }

    [Fact]
    public async Task A_copy_planted_by_someone_else_with_the_deliverys_message_id_does_not_count_as_sent()
    {
        // An outsider who learnt a delivery id hands the server a message with its Message-ID:
        // it is not from the delivery's signed return path, so the delivery is still sent itself.
        var to = Stack.NewMailbox("planted");
        var id = await InDoubtDeliveryAsync(to);
        await HandOverAsync(id, to, sender: "attacker@evil.test");

        await Eventually.HoldsAsync(async () => await StatusAsync(id) is "sent" or "delivered", Patience, "in-doubt delivery sent");

        Assert.Equal(2, await app.Database.ScalarAsync<int>("SELECT attempts FROM deliveries WHERE id = $1", id));
        Assert.Equal("interrupted", await app.Database.ScalarAsync<string>(
            "SELECT outcome FROM delivery_attempts WHERE delivery_id = $1 ORDER BY id LIMIT 1", id));
    }

    [Fact]
    public async Task A_message_the_server_never_accepted_is_sent_once()
    {
        var to = Stack.NewMailbox("never-accepted");
        var id = await InDoubtDeliveryAsync(to);

        await Eventually.HoldsAsync(async () => await StatusAsync(id) is "sent" or "delivered", Patience, "in-doubt delivery sent");
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Single(Mailbox.For(to));
        Assert.Equal(2, await app.Database.ScalarAsync<int>("SELECT attempts FROM deliveries WHERE id = $1", id));
        Assert.Equal("interrupted", await app.Database.ScalarAsync<string>(
            "SELECT outcome FROM delivery_attempts WHERE delivery_id = $1 ORDER BY id LIMIT 1", id));
    }
}
