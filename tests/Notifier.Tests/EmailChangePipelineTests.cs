using SalesMind.Contracts;
using SalesMind.TestSupport;

namespace SalesMind.Notifier.Tests;

/// <summary>The address change's events in through real RabbitMQ, out through real Postfix into the Maildir.</summary>
[Collection(NotifierCollection.Name)]
public sealed class EmailChangePipelineTests(NotifierApp app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_new_address_gets_the_link_and_code_and_the_stored_copy_shows_neither()
    {
        var to = Stack.NewMailbox("change-confirm");

        await app.PublishAsync(new EmailChangeRequested(Guid.NewGuid(), "taro", to, "en",
            "https://salesmind.example/change_email.html?token=c0nf1rm", "604213", DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow), Guid.NewGuid());

        var mail = Assert.Single(await Mailbox.WaitForAsync(to, Patience));
        Assert.Equal("Confirm your new SalesMind email address", mail.Subject);
        Assert.Contains("604213", mail.TextBody);
        Assert.Contains("https://salesmind.example/change_email.html?token=c0nf1rm", mail.TextBody);
        var stored = await app.Database.ScalarAsync<string>("SELECT text_body FROM deliveries WHERE recipient = $1", to);
        Assert.DoesNotContain("604213", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("c0nf1rm", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_old_address_gets_the_undo_link_in_its_language()
    {
        var to = Stack.NewMailbox("change-undo");

        await app.PublishAsync(new EmailChanged(Guid.NewGuid(), "taro", to, "taro.new@mail.test", "ja",
            "https://salesmind.example/change_email.html?undo_token=und0", DateTimeOffset.UtcNow.AddDays(7), DateTimeOffset.UtcNow), Guid.NewGuid());

        var mail = Assert.Single(await Mailbox.WaitForAsync(to, Patience));
        Assert.Equal("SalesMind メールアドレスが変更されました", mail.Subject);
        Assert.Contains("https://salesmind.example/change_email.html?undo_token=und0", mail.TextBody);
        Assert.Contains("taro.new@mail.test", mail.TextBody);
    }

    [Fact]
    public async Task The_owner_of_a_wanted_address_is_told()
    {
        var to = Stack.NewMailbox("change-attempt");

        await app.PublishAsync(new EmailChangeAttempted(Guid.NewGuid(), "taro", to, "en", "https://salesmind.example/login.html", DateTimeOffset.UtcNow), Guid.NewGuid());

        var mail = Assert.Single(await Mailbox.WaitForAsync(to, Patience));
        Assert.Equal("Someone tried to use your email address on SalesMind", mail.Subject);
    }
}
