using System.Security.Cryptography;
using SalesMind.Contracts;
using SalesMind.TestSupport;

namespace SalesMind.Notifier.Tests;

/// <summary>
/// The 6-digit code mailed beside the verification link is as much a secret as the link: the
/// person gets it, but no stored copy, API answer or backup of the Notifier keeps it readable.
/// </summary>
[Collection(NotifierCollection.Name)]
public sealed class VerificationCodeMailTests(NotifierApp app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static string NewCode() => RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6");

    private Task<string?> StatusAsync(string recipient) =>
        app.Database.ScalarAsync<string>("SELECT status FROM deliveries WHERE recipient = $1", recipient);

    /// <summary>What the row shows of the email: subject and both bodies.</summary>
    private Task<string?> ShownAsync(string recipient) =>
        app.Database.ScalarAsync<string>("SELECT string_agg(subject || ' ' || html_body || ' ' || text_body, ' ') FROM deliveries WHERE recipient = $1", recipient);

    [Fact]
    public async Task The_code_is_mailed_in_both_parts_but_stored_and_shown_only_redacted()
    {
        var to = Stack.NewMailbox("code-mail");
        var code = NewCode();

        await app.PublishAsync(new UserRegistered(Guid.NewGuid(), "hanako", to, "en", "https://salesmind.example/api/auth/verify-email/?token=t0k3n-for-code",
            DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow, code), Guid.NewGuid());

        var mail = Assert.Single(await Mailbox.WaitForAsync(to, Patience));
        Assert.Contains($"enter this code on the confirmation page: {code}", mail.TextBody);
        Assert.Contains($">{code}</p>", mail.HtmlBody);
        Assert.DoesNotContain(code, mail.Subject);
        await Eventually.HoldsAsync(async () => await StatusAsync(to) is "sent" or "delivered", Patience, "delivery handed over");

        var shown = await ShownAsync(to);
        Assert.DoesNotContain(code, shown);
        Assert.Contains("confirmation page: [redacted]", shown);
        var id = await app.Database.ScalarAsync<Guid>("SELECT id FROM deliveries WHERE recipient = $1", to);
        var body = await (await app.AdminClient().GetAsync($"/api/admin/deliveries/{id}?include=body")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(code, body);
        Assert.Equal(0L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM deliveries WHERE recipient = $1 AND sealed_body IS NOT NULL", to));
    }

    [Fact]
    public async Task A_waiting_reminder_keeps_its_code_only_sealed()
    {
        // Deferred by the mail server: the dispatcher still needs the code, and keeps it only sealed.
        var to = $"later-{Guid.NewGuid():N}@tempfail.test";
        var code = NewCode();

        await app.PublishAsync(new VerificationReminderDue(Guid.NewGuid(), "hanako", to, "ja", "https://salesmind.example/api/auth/verify-email/?token=t0k3n-reminder",
            DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow.AddDays(6), code), Guid.NewGuid());

        await Eventually.HoldsAsync(async () => await StatusAsync(to) == "deferred", Patience, "delivery deferred");
        Assert.DoesNotContain(code, await ShownAsync(to));
        Assert.Equal(1L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM deliveries WHERE recipient = $1 AND sealed_body IS NOT NULL", to));
    }
}
