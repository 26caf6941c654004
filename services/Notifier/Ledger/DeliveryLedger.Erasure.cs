using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;

namespace SalesMind.Notifier.Ledger;

/// <summary>What one erasure changed (all zero when it had already been done).</summary>
public sealed record ErasureSummary(int Deliveries, int Cancelled, int Suppressions);

public sealed partial class DeliveryLedger
{
    /// <summary>What an erased delivery's subject and bodies read.</summary>
    public const string Erased = "(erased: the account was deleted)";

    public const string CancelledReason = "not sent: the account was deleted";

    /// <summary>
    /// Forgets <paramref name="email"/> in the caller's transaction: deliveries to it asked for
    /// up to <paramref name="deletedAt"/> lose their subject and bodies and name the address's
    /// pseudonym (<see cref="RecipientPseudonym"/>) instead; those not handed to the mail server
    /// yet are cancelled (through <see cref="Delivery.Cancel"/>, with their event); its
    /// suppression moves to the pseudonym, where new deliveries still find it. Emails asked for
    /// after the deletion are left alone: they are a new account's, at the same address.
    /// Running it again changes nothing.
    /// </summary>
    public async Task<ErasureSummary> EraseRecipientAsync(string email, DateTimeOffset deletedAt, CancellationToken ct)
    {
        var address = email.Trim().ToLowerInvariant();
        var pseudonym = pseudonyms.Of(address);
        var pattern = PostgresLiteralPattern(address);
        var now = time.GetUtcNow();

        // Locked first, so the dispatcher's claim (SKIP LOCKED) passes them by; one it has
        // already claimed is sending and no longer matches.
        var pending = await db.Deliveries.FromSql($"""
            SELECT * FROM deliveries
             WHERE recipient_key = {address} AND COALESCE(requested_at, created_at) <= {deletedAt}
               AND (status = {DeliveryStatus.Queued.Name()} OR (status = {DeliveryStatus.Deferred.Name()} AND queue_id IS NULL))
             FOR UPDATE
            """).ToListAsync(ct);
        var changes = new List<StatusChange>();
        foreach (var d in pending)
        {
            Forget(d, address, pseudonym);
            if (d.Cancel(CancelledReason, now) is { } change)
            {
                Stage(change);
                changes.Add(change);
            }
        }

        await db.SaveChangesAsync(ct);

        var erased = pending.Count + await db.Database.ExecuteSqlAsync($"""
            UPDATE deliveries
               SET recipient = {pseudonym}, subject = {Erased}, html_body = {Erased}, text_body = {Erased}, sealed_body = NULL,
                   last_error = regexp_replace(last_error, {pattern}, {pseudonym}, 'gi')
             WHERE recipient_key = {address} AND COALESCE(requested_at, created_at) <= {deletedAt}
            """, ct);
        // The mail server's replies and reports quote the address.
        await db.Database.ExecuteSqlAsync($"""
            UPDATE delivery_attempts a SET reply = regexp_replace(a.reply, {pattern}, {pseudonym}, 'gi')
              FROM deliveries d WHERE a.delivery_id = d.id AND d.recipient = {pseudonym} AND a.reply ~* {pattern}
            """, ct);
        await db.Database.ExecuteSqlAsync($"""
            UPDATE delivery_reports r SET diagnostic = regexp_replace(r.diagnostic, {pattern}, {pseudonym}, 'gi')
              FROM deliveries d WHERE r.delivery_id = d.id AND d.recipient = {pseudonym} AND r.diagnostic ~* {pattern}
            """, ct);
        await db.Database.ExecuteSqlAsync($"""
            UPDATE rejected_reports SET final_recipient = {pseudonym}, detail = regexp_replace(detail, {pattern}, {pseudonym}, 'gi')
             WHERE lower(final_recipient) = {address} OR detail ~* {pattern}
            """, ct);

        // The suppression moves to the pseudonym. Should the pseudonym have one already (the same
        // address erased before), the one that still holds, or holds longer, is kept.
        var suppressions = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO suppressions AS s (address, reason, delivery_id, created_at, expires_at, lifted_at, lifted_by)
            SELECT {pseudonym}, regexp_replace(reason, {pattern}, {pseudonym}, 'gi'), delivery_id, created_at, expires_at, lifted_at, lifted_by
              FROM suppressions WHERE address = {address} AND created_at <= {deletedAt}
            ON CONFLICT (address) DO UPDATE
               SET reason = EXCLUDED.reason, delivery_id = EXCLUDED.delivery_id, created_at = EXCLUDED.created_at,
                   expires_at = EXCLUDED.expires_at, lifted_at = EXCLUDED.lifted_at, lifted_by = EXCLUDED.lifted_by
             WHERE s.lifted_at IS NOT NULL OR (EXCLUDED.lifted_at IS NULL AND s.expires_at < EXCLUDED.expires_at)
            """, ct);
        await db.Database.ExecuteSqlAsync($"DELETE FROM suppressions WHERE address = {address} AND created_at <= {deletedAt}", ct);

        foreach (var change in changes)
        {
            Count(change);
        }

        LogErased(erased, changes.Count, suppressions);
        return new ErasureSummary(erased, changes.Count, suppressions);
    }

    /// <summary>Whether a suppression applies to <paramref name="address"/>: by the address, or by its pseudonym once erased.</summary>
    private Task<Suppression?> ActiveSuppressionAsync(string address, DateTimeOffset now, CancellationToken ct)
    {
        var pseudonym = pseudonyms.Of(address);
        return db.Suppressions.AsNoTracking()
            .Where(x => (x.Address == address || x.Address == pseudonym) && x.LiftedAt == null && x.ExpiresAt > now)
            .OrderByDescending(x => x.ExpiresAt)
            .FirstOrDefaultAsync(ct);
    }

    private static void Forget(Delivery d, string address, string pseudonym)
    {
        d.Recipient = pseudonym;
        d.Subject = Erased;
        d.HtmlBody = Erased;
        d.TextBody = Erased;
        d.SealedBody = null;
        d.LastError = d.LastError is null ? null : Regex.Replace(d.LastError, Regex.Escape(address), pseudonym, RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));
    }

    /// <summary>
    /// <paramref name="text"/> as a PostgreSQL regular expression matching itself: every character
    /// but letters and digits escaped (a backslash before one of those would make it a class).
    /// </summary>
    internal static string PostgresLiteralPattern(string text)
    {
        var pattern = new StringBuilder(text.Length * 2);
        foreach (var c in text)
        {
            if (!char.IsLetterOrDigit(c))
            {
                pattern.Append('\\');
            }

            pattern.Append(c);
        }

        return pattern.ToString();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "An address was erased: {Deliveries} deliveries, {Cancelled} of them cancelled, {Suppressions} suppressions moved")]
    private partial void LogErased(int deliveries, int cancelled, int suppressions);
}
