using Microsoft.EntityFrameworkCore;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.AdminTokens;
using SalesMind.Identity.Audit;
using SalesMind.Identity.PasswordReset;
using SalesMind.Identity.Security;

namespace SalesMind.Identity.EmailChanges;

/// <summary>The undo of an address change, from the link mailed to the old address.</summary>
public sealed partial class AddressChanges
{
    /// <summary>
    /// The undo link from the old mailbox: the old address back (while it is held for this account
    /// nobody else can have it), every session and admin token ended, every pending change and
    /// other undo link void, and the password unusable until a new one is chosen through the
    /// reset link mailed to the restored address. Single use.
    /// </summary>
    public async Task<ChangeOutcome> UndoAsync(string? token, CancellationToken ct)
    {
        if (!OpaqueToken.IsWellFormed(token))
        {
            return ChangeOutcome.Problem("token", "token.invalid");
        }

        var hash = OpaqueToken.Hash(token!);
        var now = time.GetUtcNow();
        var owner = await db.EmailChanges.Where(c => c.UndoTokenHash == hash).Select(c => (Guid?)c.UserId).SingleOrDefaultAsync(ct);
        if (owner is null)
        {
            return ChangeOutcome.Problem("token", "token.invalid");
        }

        // Whoever made the change knows the password: it is replaced by a hash of a secret nobody
        // holds (hashed before the locks, as a password change does), so only the reset link works.
        var unusable = await hashing.HashAsync(OpaqueToken.Create().Token);
        db.ChangeTracker.Clear();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = await LockUserAsync(owner.Value, ct);
        var change = await db.EmailChanges.FromSql($"SELECT * FROM email_changes WHERE undo_token_hash = {hash} FOR UPDATE").SingleOrDefaultAsync(ct);
        if (user is null || change?.UndoTokenHash is null || !OpaqueToken.Matches(change.UndoTokenHash, hash) || user.DeletedAt is not null)
        {
            return ChangeOutcome.Problem("token", "token.invalid");
        }

        if (change.UndoneAt is not null)
        {
            return ChangeOutcome.Problem("token", "token.used");
        }

        if (change.UndoExpiresAt <= now)
        {
            return ChangeOutcome.Problem("token", "token.expired");
        }

        var normalizedOld = FieldRules.NormalizeEmail(change.OldEmail);
        // The hold makes this true; should it ever not be, the sign-out below still happens.
        var free = !await db.Users.AnyAsync(u => u.NormalizedEmail == normalizedOld && u.Id != user.Id, ct);
        var before = user.Email;
        if (free)
        {
            user.Email = change.OldEmail;
            user.NormalizedEmail = normalizedOld;
        }

        user.PasswordHash = unusable;
        change.UndoneAt = now;
        AccountAudit.Add(db, user, user.Id, "email.change_undone", new { email = before }, new { email = user.Email }, now);
        // Whoever made the change may hold a session or an admin token: both die.
        await AdminTokenRevocation.RevokeAsync(db, user.Id, AdminTokenRevocation.EmailChangeUndone, now, ct);
        await db.SaveChangesAsync(ct);
        await db.Sessions.Where(s => s.UserId == user.Id).ExecuteDeleteAsync(ct);
        // No browser stays trusted either: a device cookie would give whoever made the change
        // guesses of their own, apart from the account's lock.
        await db.KnownDevices.Where(d => d.UserId == user.Id).ExecuteDeleteAsync(ct);
        await RevokePendingAsync(user.Id, now, ct);
        await db.EmailChanges.Where(c => c.UserId == user.Id && c.UndoneAt == null && c.UndoExpiresAt > now)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.UndoExpiresAt, now), ct);
        // A reset link the new address may have asked for would hand the account straight back: it
        // dies, and the restored address gets the only live one. Not restored (never, while the
        // hold works), the account's address is not the old mailbox's, and no link goes out.
        await PasswordResetMail.RevokeAsync(db, user.Id, now, ct);
        var resetSent = free && user.DeactivatedAt is null;
        if (resetSent)
        {
            var locale = await db.Profiles.Where(p => p.UserId == user.Id).Select(p => p.Locale).FirstOrDefaultAsync(ct) ?? "ja";
            await PasswordResetMail.AddAsync(db, user, locale, options.Value, now, ct);
            await db.SaveChangesAsync(ct);
        }

        await tx.CommitAsync(ct);
        LogUndone(log, user.Id, free);
        return new(ChangeResult.Done, Email: user.Email, Restored: free, PasswordResetSent: resetSent);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "User {UserId}'s address change was undone (old address restored: {Restored}); every session ended, the password must be reset")]
    private static partial void LogUndone(ILogger logger, Guid userId, bool restored);
}
