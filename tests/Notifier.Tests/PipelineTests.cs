using SalesMind.Contracts;
using SalesMind.TestSupport;

namespace SalesMind.Notifier.Tests;

/// <summary>Events in through real RabbitMQ, emails out through real Postfix into the stack's Maildir.</summary>
[Collection(NotifierCollection.Name)]
public sealed class PipelineTests(NotifierApp app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static UserRegistered Registered(string email, string locale = "en") => new(
        Guid.NewGuid(), "hanako", email, locale, "https://salesmind.example/api/auth/verify-email/?token=t0k3n",
        DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow);

    private Task<string?> StatusAsync(string recipient) =>
        app.Database.ScalarAsync<string>("SELECT status FROM deliveries WHERE recipient = $1", recipient);

    [Fact]
    public async Task UserRegistered_becomes_one_sent_delivery_with_the_queue_id_and_one_email()
    {
        var to = Stack.NewMailbox("pipeline");

        await app.PublishAsync(Registered(to), Guid.NewGuid());

        var mail = Assert.Single(await Mailbox.WaitForAsync(to, Patience));
        Assert.Equal("Confirm your email address for SalesMind", mail.Subject);
        Assert.Contains("https://salesmind.example/api/auth/verify-email/?token=t0k3n", mail.TextBody);
        Assert.Contains("Hello hanako,", mail.HtmlBody);
        // Accepted by the mail server, then confirmed delivered from its log.
        await Eventually.HoldsAsync(async () => await StatusAsync(to) == "delivered", Patience, "delivery marked delivered");
        var queueId = await app.Database.ScalarAsync<string>("SELECT queue_id FROM deliveries WHERE recipient = $1", to);
        Assert.False(string.IsNullOrEmpty(queueId));
        Assert.Equal(1L, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.recipient = $1 AND a.outcome = 'sent'", to));
        var deliveryId = await app.Database.ScalarAsync<Guid>("SELECT id FROM deliveries WHERE recipient = $1", to);
        Assert.Equal($"{deliveryId:N}@salesmind.test", mail.MessageId);
    }

    [Fact]
    public async Task The_same_message_delivered_twice_produces_one_email()
    {
        var to = Stack.NewMailbox("inbox");
        var messageId = Guid.NewGuid();
        var message = Registered(to);

        await app.PublishAsync(message, messageId);
        await app.PublishAsync(message, messageId);
        await Mailbox.WaitForAsync(to, Patience);
        // Give a second email every chance to arrive.
        await Task.Delay(TimeSpan.FromSeconds(2));

        Assert.Single(Mailbox.For(to));
        Assert.Equal(1L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM deliveries WHERE recipient = $1", to));
        Assert.Equal(1L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM inbox_message WHERE message_id = $1", messageId));
    }

    [Fact]
    public async Task AccountAlreadyExists_mails_the_owner_in_their_language()
    {
        var to = Stack.NewMailbox("owner");

        await app.PublishAsync(new AccountAlreadyExists(Guid.NewGuid(), "taro", to, "ja", "https://salesmind.example/login.html", DateTimeOffset.UtcNow), Guid.NewGuid());

        var mail = Assert.Single(await Mailbox.WaitForAsync(to, Patience));
        Assert.Equal("SalesMind へのご登録について", mail.Subject);
        Assert.Contains("https://salesmind.example/login.html", mail.TextBody);
    }

    [Fact]
    public async Task PasswordResetRequested_mails_the_reset_link()
    {
        var to = Stack.NewMailbox("reset");

        await app.PublishAsync(new PasswordResetRequested(Guid.NewGuid(), "taro", to, "en",
            "https://salesmind.example/reset_password.html?token=r3s3t", DateTimeOffset.UtcNow.AddHours(1), DateTimeOffset.UtcNow), Guid.NewGuid());

        var mail = Assert.Single(await Mailbox.WaitForAsync(to, Patience));
        Assert.Equal("Reset your SalesMind password", mail.Subject);
        Assert.Contains("https://salesmind.example/reset_password.html?token=r3s3t", mail.TextBody);
    }

    [Fact]
    public async Task A_permanent_refusal_ends_the_delivery_as_failed_with_the_server_reply()
    {
        var to = $"nobody-{Guid.NewGuid():N}@reject.test";

        await app.PublishAsync(Registered(to), Guid.NewGuid());

        await Eventually.HoldsAsync(async () => await StatusAsync(to) == "failed", Patience, "delivery marked failed");
        var code = await app.Database.ScalarAsync<int>(
            "SELECT a.smtp_code FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE d.recipient = $1", to);
        Assert.InRange(code, 500, 599);
        var error = await app.Database.ScalarAsync<string>("SELECT last_error FROM deliveries WHERE recipient = $1", to);
        Assert.Contains("simulated permanent refusal", error);
    }

    [Fact]
    public async Task A_temporary_refusal_defers_the_delivery_to_a_later_attempt()
    {
        var to = $"later-{Guid.NewGuid():N}@tempfail.test";

        await app.PublishAsync(Registered(to), Guid.NewGuid());

        await Eventually.HoldsAsync(async () => await StatusAsync(to) == "deferred", Patience, "delivery deferred");
        var next = await app.Database.ScalarAsync<DateTime>("SELECT next_attempt_at FROM deliveries WHERE recipient = $1", to);
        Assert.True(next > DateTime.UtcNow.AddSeconds(20), $"next attempt {next:O} should be about 30 s away");
        Assert.Equal(1, await app.Database.ScalarAsync<int>("SELECT attempts FROM deliveries WHERE recipient = $1", to));
    }
}
