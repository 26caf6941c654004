using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SalesMind.Contracts;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Intake;
using SalesMind.Notifier.Ledger;
using SalesMind.TestSupport;

namespace SalesMind.Notifier.Tests;

/// <summary>
/// <see cref="AccountDeleted"/> over the real broker: the Notifier forgets the address (bodies
/// gone, recipient a keyed hash), cancels what was not sent yet, and still suppresses the address.
/// </summary>
[Collection(NotifierCollection.Name)]
public sealed partial class AccountErasureTests(NotifierApp app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private sealed record Seeded(string Address, Guid Delivered, Guid Queued, Guid Bounced, Guid Bystander, Guid AfterDeletion);

    /// <summary>
    /// Deliveries to one address in the states that matter (none due, so the dispatcher leaves
    /// them be), a bystander's, and a suppression of the address.
    /// </summary>
    private async Task<Seeded> SeedAsync(DateTimeOffset deletedAt)
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        var address = $"Erase-{id}@Mail.Test";
        var lower = address.ToLowerInvariant();
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotifierDb>();
        Delivery Add(string recipient, string template, DateTimeOffset requestedAt, string? error = null)
        {
            var d = new Delivery
            {
                Id = Guid.CreateVersion7(), SourceMessageId = Guid.NewGuid(), Template = template, Locale = "en", Recipient = recipient,
                Subject = $"Welcome, user_{id}", HtmlBody = $"<p>Hello user_{id} ({recipient})</p>", TextBody = $"Hello user_{id} ({recipient})",
                SealedBody = [1, 2, 3], LinksRedacted = true, RequestedAt = requestedAt,
            };
            d.Open(null, requestedAt);
            d.NextAttemptAt = DateTimeOffset.UtcNow.AddDays(1);
            d.LastError = error;
            db.Deliveries.Add(d);
            return d;
        }

        var delivered = Add(address, "welcome", deletedAt.AddDays(-3));
        var queued = Add(address, "password-reset", deletedAt.AddMinutes(-1));
        var bounced = Add(lower, "welcome", deletedAt.AddDays(-2), $"550 5.1.1 <{address}>: Recipient address rejected");
        var bystander = Add($"keep-{id}@mail.test", "welcome", deletedAt.AddMinutes(-1));
        var after = Add(address, "email-verification", deletedAt.AddSeconds(5));
        await db.SaveChangesAsync();
        db.DeliveryAttempts.Add(DeliveryAttempts.For(delivered, deletedAt.AddDays(-3), 40, AttemptOutcome.Sent, 250, $"250 2.1.5 <{lower}> ok"));
        db.DeliveryReports.Add(new DeliveryReport
        {
            DeliveryId = bounced.Id, ReceivedAt = deletedAt.AddDays(-2), Source = "dsn", Action = "failed", Status = "5.1.1",
            Diagnostic = $"smtp; 550 5.1.1 <{lower}> unknown user",
        });
        db.Suppressions.Add(new Suppression
        {
            Address = lower, Reason = $"550 5.1.1 <{lower}> unknown user", DeliveryId = bounced.Id,
            CreatedAt = deletedAt.AddDays(-2), ExpiresAt = deletedAt.AddDays(28),
        });
        await db.SaveChangesAsync();
        await app.Database.ExecuteAsync("UPDATE deliveries SET status = 'delivered', queue_id = 'Q1' WHERE id = $1", delivered.Id);
        await app.Database.ExecuteAsync("UPDATE deliveries SET status = 'bounced', queue_id = 'Q2' WHERE id = $1", bounced.Id);
        return new Seeded(address, delivered.Id, queued.Id, bounced.Id, bystander.Id, after.Id);
    }

    private async Task ConsumedAsync(Guid messageId) =>
        await Eventually.HoldsAsync(async () => await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM inbox_message WHERE message_id = $1 AND consumer = $2", messageId, nameof(AccountDeletedConsumer)) == 1,
            Patience, "the AccountDeleted event was consumed");

    /// <summary>Every stored text about the seeded deliveries, for comparing before and after.</summary>
    private async Task<string> SnapshotAsync(Seeded s) => await app.Database.ScalarAsync<string>("""
        SELECT string_agg(concat_ws('|', d.id, d.recipient, d.subject, d.html_body, d.text_body, d.status, d.last_error, d.sealed_body IS NULL,
                 (SELECT string_agg(a.reply, ',') FROM delivery_attempts a WHERE a.delivery_id = d.id),
                 (SELECT string_agg(r.diagnostic, ',') FROM delivery_reports r WHERE r.delivery_id = d.id)), E'\n' ORDER BY d.id)
          FROM deliveries d WHERE d.id = ANY($1)
        """, new[] { s.Delivered, s.Queued, s.Bounced, s.Bystander, s.AfterDeletion }) ?? "";

    [Fact]
    public async Task The_address_is_erased_counts_and_suppression_hold_and_a_repeated_event_changes_nothing()
    {
        var deletedAt = DateTimeOffset.UtcNow;
        var s = await SeedAsync(deletedAt);
        var pseudonym = app.Services.GetRequiredService<RecipientPseudonym>().Of(s.Address);
        var countsBefore = await app.Database.ScalarAsync<string>(
            "SELECT string_agg(template || '=' || n, ',' ORDER BY template) FROM (SELECT template, count(*) n FROM deliveries WHERE id = ANY($1) GROUP BY template) t",
            new[] { s.Delivered, s.Queued, s.Bounced });
        var userId = Guid.CreateVersion7();
        var messageId = Guid.NewGuid();

        await app.PublishAsync(new AccountDeleted(userId, s.Address, deletedAt), messageId);
        await ConsumedAsync(messageId);

        Assert.Matches(PseudonymShape(), pseudonym);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<NotifierDb>();
            var erased = await db.Deliveries.AsNoTracking().Where(d => d.Id == s.Delivered || d.Id == s.Queued || d.Id == s.Bounced).ToListAsync();
            Assert.All(erased, d =>
            {
                Assert.Equal(pseudonym, d.Recipient);
                Assert.Equal(DeliveryLedger.Erased, d.Subject);
                Assert.Equal(DeliveryLedger.Erased, d.HtmlBody);
                Assert.Equal(DeliveryLedger.Erased, d.TextBody);
                Assert.Null(d.SealedBody);
            });
            // Not handed over yet: cancelled, through the ledger, never to be sent or retried.
            var queued = erased.Single(d => d.Id == s.Queued);
            Assert.Equal(DeliveryStatus.Suppressed, queued.Status);
            Assert.Equal(DeliveryLedger.CancelledReason, queued.LastError);
            Assert.Equal(DeliveryStatus.Delivered, erased.Single(d => d.Id == s.Delivered).Status);
            Assert.Equal($"550 5.1.1 <{pseudonym}>: Recipient address rejected", erased.Single(d => d.Id == s.Bounced).LastError);
            // The bystander's, and the email a new account at the same address asked for after the deletion, are untouched.
            Assert.Equal(DeliveryStatus.Queued, (await db.Deliveries.AsNoTracking().SingleAsync(d => d.Id == s.Bystander)).Status);
            var after = await db.Deliveries.AsNoTracking().SingleAsync(d => d.Id == s.AfterDeletion);
            Assert.Equal(s.Address, after.Recipient);
            Assert.Equal(DeliveryStatus.Queued, after.Status);
        }

        // Nowhere is the address left about the erased deliveries, in any case.
        Assert.Equal(0, await app.Database.ScalarAsync<long>("""
            SELECT (SELECT count(*) FROM deliveries WHERE id = ANY($1) AND (recipient || subject || html_body || text_body || coalesce(last_error, '')) ILIKE '%' || $2 || '%')
                 + (SELECT count(*) FROM delivery_attempts WHERE delivery_id = ANY($1) AND reply ILIKE '%' || $2 || '%')
                 + (SELECT count(*) FROM delivery_reports WHERE delivery_id = ANY($1) AND diagnostic ILIKE '%' || $2 || '%')
                 + (SELECT count(*) FROM suppressions WHERE address = lower($2) OR reason ILIKE '%' || $2 || '%')
            """, new[] { s.Delivered, s.Queued, s.Bounced }, s.Address));
        // Per-template counts are the same, now under the pseudonym.
        Assert.Equal(countsBefore, await app.Database.ScalarAsync<string>(
            "SELECT string_agg(template || '=' || n, ',' ORDER BY template) FROM (SELECT template, count(*) n FROM deliveries WHERE recipient = $1 GROUP BY template) t",
            pseudonym));
        Assert.Equal(1, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit_entries WHERE action = $1 AND target = $2 AND actor = 'system'", AccountDeletedConsumer.AuditAction, $"account:{userId}"));

        // A new email to the address (a new account signing up with it) is still suppressed.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var ledger = scope.ServiceProvider.GetRequiredService<DeliveryLedger>();
            var fresh = await ledger.QueueAsync(new Delivery
            {
                SourceMessageId = Guid.NewGuid(), Template = "email-verification", Locale = "en", Recipient = s.Address.ToUpperInvariant(),
                Subject = "Confirm", HtmlBody = "<p>Confirm</p>", TextBody = "Confirm",
            }, null, CancellationToken.None);
            Assert.Equal(DeliveryStatus.Suppressed, fresh.Status);
        }

        // The same event again (at-least-once delivery), and the deletion announced twice: nothing changes.
        var snapshot = await SnapshotAsync(s);
        var again = Guid.NewGuid();
        await app.PublishAsync(new AccountDeleted(userId, s.Address, deletedAt), messageId);
        await app.PublishAsync(new AccountDeleted(userId, s.Address, deletedAt), again);
        await ConsumedAsync(again);
        await Task.Delay(500);

        Assert.Equal(snapshot, await SnapshotAsync(s));
        Assert.Equal(1, await app.Database.ScalarAsync<long>("SELECT count(*) FROM suppressions WHERE address = $1", pseudonym));
        Assert.Equal(1, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM inbox_message WHERE message_id = $1 AND consumer = $2", messageId, nameof(AccountDeletedConsumer)));
    }

    [Fact]
    public async Task A_past_address_is_erased_up_to_when_it_stopped_being_the_accounts_and_mail_after_that_is_kept()
    {
        // The seeded address was the account's until `changedAt` (an address change); mail to it
        // asked for later belongs to whoever has it since.
        var changedAt = DateTimeOffset.UtcNow.AddDays(-1);
        var s = await SeedAsync(changedAt);
        var pseudonym = app.Services.GetRequiredService<RecipientPseudonym>().Of(s.Address);
        var messageId = Guid.NewGuid();

        await app.PublishAsync(
            new AccountDeleted(Guid.CreateVersion7(), $"now-{Guid.NewGuid():N}@mail.test", DateTimeOffset.UtcNow, [new PastAddress(s.Address, changedAt)]),
            messageId);
        await ConsumedAsync(messageId);

        foreach (var erased in new[] { s.Delivered, s.Queued, s.Bounced })
        {
            Assert.Equal(pseudonym, await app.Database.ScalarAsync<string>("SELECT recipient FROM deliveries WHERE id = $1", erased));
        }

        Assert.Equal(s.Address, await app.Database.ScalarAsync<string>("SELECT recipient FROM deliveries WHERE id = $1", s.AfterDeletion));
        Assert.NotEqual(pseudonym, await app.Database.ScalarAsync<string>("SELECT recipient FROM deliveries WHERE id = $1", s.Bystander));
    }

    [Fact]
    public async Task The_pseudonym_is_keyed_the_same_for_every_spelling_and_distinct_per_address()
    {
        var pseudonyms = app.Services.GetRequiredService<RecipientPseudonym>();

        Assert.Equal(pseudonyms.Of("Someone@Mail.Test"), pseudonyms.Of(" someone@mail.test "));
        Assert.NotEqual(pseudonyms.Of("someone@mail.test"), pseudonyms.Of("someone2@mail.test"));
        // Not a plain hash of the address: a list of guessed addresses cannot be hashed into it.
        var plain = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("someone@mail.test"u8));
        Assert.DoesNotContain(plain, pseudonyms.Of("someone@mail.test"), StringComparison.Ordinal);
        await Task.CompletedTask;
    }

    [GeneratedRegex("^erased-[0-9a-f]{64}@erased\\.invalid$")]
    private static partial Regex PseudonymShape();
}
