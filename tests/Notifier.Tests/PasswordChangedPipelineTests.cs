using SalesMind.Contracts;
using SalesMind.TestSupport;

namespace SalesMind.Notifier.Tests;

/// <summary>The "your password was changed" notice: the event in through RabbitMQ, the email out through Postfix.</summary>
[Collection(NotifierCollection.Name)]
public sealed class PasswordChangedPipelineTests(NotifierApp app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("ja", "SalesMind パスワード変更のお知らせ", "Firefox on Linux")]
    [InlineData("en", "Your SalesMind password was changed", "")]
    public async Task PasswordChanged_mails_the_owner_once_in_their_language_with_no_secret(string locale, string subject, string device)
    {
        var to = Stack.NewMailbox("pwchanged");
        var message = new PasswordChanged(Guid.NewGuid(), "taro", to, locale, device, "https://salesmind.example/forgot_password.html", DateTimeOffset.UtcNow);
        var messageId = Guid.NewGuid();

        await app.PublishAsync(message, messageId);
        await app.PublishAsync(message, messageId);

        var mail = Assert.Single(await Mailbox.WaitForAsync(to, Patience));
        Assert.Equal(subject, mail.Subject);
        Assert.Equal("password-changed", mail.Headers["X-SalesMind-Template"]);
        Assert.Contains("https://salesmind.example/forgot_password.html", mail.TextBody);
        Assert.Contains(device.Length > 0 ? device : "unknown browser", mail.TextBody);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Single(Mailbox.For(to));
    }
}
