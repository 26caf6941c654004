using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using SalesMind.Contracts;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Rendering;
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

    [Fact]
    public async Task A_database_seeded_before_codes_gets_the_new_shipped_text_unless_an_admin_chose_their_own()
    {
        const string Key = TemplateKeys.VerificationReminder;
        var shipped = TemplateCatalog.ShippedSource(TemplateCatalog.Find(Key)!, "en", "text");
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotifierDb>();
        await SeedAgainAsync(db);

        // As an earlier release left it: its shipped versions had another text, the newest is active.
        await app.Database.ExecuteAsync("UPDATE template_versions SET is_active = false WHERE template_key = $1 AND locale = 'en'", Key);
        await app.Database.ExecuteAsync(
            "UPDATE template_versions SET text = 'An earlier shipped text' WHERE template_key = $1 AND locale = 'en' AND created_by = 'system'", Key);
        var before = await app.Database.ScalarAsync<int>("SELECT max(version) FROM template_versions WHERE template_key = $1 AND locale = 'en'", Key);
        await app.Database.ExecuteAsync("UPDATE template_versions SET is_active = true WHERE template_key = $1 AND locale = 'en' AND version = 1", Key);

        await SeedAgainAsync(db);
        await SeedAgainAsync(db);

        Assert.Equal(shipped, await app.Database.ScalarAsync<string>(
            "SELECT text FROM template_versions WHERE template_key = $1 AND locale = 'en' AND is_active", Key));
        Assert.Equal(before + 1, await app.Database.ScalarAsync<int>(
            "SELECT max(version) FROM template_versions WHERE template_key = $1 AND locale = 'en'", Key));

        // An admin's own active version is theirs to keep.
        await app.Database.ExecuteAsync("UPDATE template_versions SET is_active = false WHERE template_key = $1 AND locale = 'en'", Key);
        await app.Database.ExecuteAsync("""
            INSERT INTO template_versions (template_key, locale, version, subject, html, text, note, is_active, created_at, created_by, activated_at)
            SELECT template_key, locale, $2, subject, html, 'An admin''s text', 'Mine', true, now(), 'admin@example.com', now()
              FROM template_versions WHERE template_key = $1 AND locale = 'en' AND version = 1
            """, Key, before + 2);
        await SeedAgainAsync(db);
        Assert.Equal("An admin's text", await app.Database.ScalarAsync<string>(
            "SELECT text FROM template_versions WHERE template_key = $1 AND locale = 'en' AND is_active", Key));

        // Back to the shipped text for the other tests.
        await app.Database.ExecuteAsync("UPDATE template_versions SET is_active = false WHERE template_key = $1 AND locale = 'en'", Key);
        await app.Database.ExecuteAsync("UPDATE template_versions SET is_active = true WHERE template_key = $1 AND locale = 'en' AND version = $2", Key, before + 1);
    }

    /// <summary>Seeding as a newly started Notifier does it (each process seeds once).</summary>
    private Task SeedAgainAsync(NotifierDb db) =>
        ActivatorUtilities.CreateInstance<TemplateStore>(app.Services).EnsureSeededAsync(db, CancellationToken.None);
}
