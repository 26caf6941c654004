using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesMind.Contracts;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Admin;
using SalesMind.Identity.AdminTokens;
using SalesMind.Identity.Audit;
using SalesMind.Identity.Data;
using SalesMind.Identity.Sessions;
using SalesMind.Outbox;
using SalesMind.ServiceDefaults;

namespace SalesMind.Identity.Deletion;

public enum DeletionResult
{
    Deleted,

    /// <summary>The password-hashing queue is full; nothing was counted.</summary>
    Busy,

    /// <summary>Too many wrong passwords for this account: the same lock as login's.</summary>
    Locked,

    WrongPassword,

    /// <summary>The account is the last active admin: deleting it would leave nobody to run the site.</summary>
    LastAdmin,
}

public sealed record DeletionOutcome(DeletionResult Result, TimeSpan Wait = default, DateTimeOffset PurgeAfter = default);

/// <summary>
/// The owner deletes the account. At once: no login, no session, no admin token, no pending
/// link; the address and the username are free for a new sign-up; the Notifier is told to erase
/// the address. The row itself (unusable) is kept for <see cref="AccountOptions.DeletionGracePeriod"/>
/// and then removed by <see cref="DeletedAccountPurge"/>.
/// </summary>
public sealed partial class AccountDeletion(
    IdentityDb db, LoginGuard guard, AdminAccountCheck adminCheck, IOptions<AccountOptions> options, TimeProvider time, ILogger<AccountDeletion> logger)
{
    public const string AuditAction = "account.deleted";

    /// <summary>What the unique columns hold once the account is deleted: no typed name or address can match it.</summary>
    public static string Placeholder(Guid userId) => $"deleted:{userId:N}";

    public async Task<DeletionOutcome> DeleteAsync(HttpContext http, User user, string password, CancellationToken ct)
    {
        // The password is checked by login's guard: same hashing queue, same counter and lock on
        // the account, so this form is no way around login's limit on guesses.
        var check = await guard.CheckAsync(http, user, user.NormalizedUsername, password, ct);
        switch (check.Verdict)
        {
            case LoginVerdict.Busy:
                return new(DeletionResult.Busy, check.Wait);
            case LoginVerdict.Locked:
                return new(DeletionResult.Locked, check.Wait);
            case LoginVerdict.WrongPassword:
                await Task.Delay(check.Wait, time, ct);
                return new(DeletionResult.WrongPassword);
        }

        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The admins' own lock first, as every admin change takes it: a deletion and a demotion of
        // the other admin at the same moment must not leave none.
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({UserAdmin.LockName}, 0))", ct);
        // Locked and re-read: a second deletion of the same account (two tabs) waits here and then does nothing.
        var row = (await db.Users.FromSql($"SELECT * FROM users WHERE id = {user.Id} AND deleted_at IS NULL FOR UPDATE").ToListAsync(ct)).SingleOrDefault();
        if (row is null)
        {
            return new(DeletionResult.Deleted, PurgeAfter: now + options.Value.DeletionGracePeriod);
        }

        if (row is { IsActive: true, DeactivatedAt: null } && row.Roles.Contains(AdminAuth.AdminRole)
            && !await db.Users.AnyAsync(u => u.Id != row.Id && u.IsActive && u.DeactivatedAt == null && u.DeletedAt == null
                && u.Roles.Contains(AdminAuth.AdminRole), ct))
        {
            return new(DeletionResult.LastAdmin);
        }

        var email = row.Email;
        var pastAddresses = await AccountAddresses.PastAsync(db, row.Id, ct);
        row.DeletedAt = now;
        row.IsActive = false;
        row.NormalizedEmail = Placeholder(row.Id);
        row.NormalizedUsername = Placeholder(row.Id);
        // Nothing can ever verify against an empty hash (and the row is unusable anyway).
        row.PasswordHash = "";
        row.FailedLogins = 0;
        row.LockedUntil = null;
        await db.SaveChangesAsync(ct);

        await db.Sessions.Where(s => s.UserId == row.Id).ExecuteDeleteAsync(ct);
        await db.KnownDevices.Where(d => d.UserId == row.Id).ExecuteDeleteAsync(ct);
        await db.VerificationTokens.Where(t => t.UserId == row.Id).ExecuteDeleteAsync(ct);
        await db.PasswordResetTokens.Where(t => t.UserId == row.Id).ExecuteDeleteAsync(ct);
        // Pending address changes and their undo links die too: none may bring the address back.
        await db.EmailChanges.Where(c => c.UserId == row.Id && c.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.RevokedAt, now), ct);
        await db.EmailChanges.Where(c => c.UserId == row.Id && c.UndoExpiresAt > now)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.UndoExpiresAt, now), ct);
        await db.Database.ExecuteSqlAsync($"DELETE FROM login_failures WHERE key = {"user:" + row.Id.ToString("N")}", ct);
        await AdminTokenRevocation.RevokeAsync(db, row.Id, AdminTokenRevocation.AccountDeleted, now, ct);

        var purgeAfter = now + options.Value.DeletionGracePeriod;
        // The address is not written to the audit: the entry outlives the account.
        AccountAudit.Add(db, row, row.Id, AuditAction, before: null, after: new { deleted_at = now, purge_after = purgeAfter }, now);
        db.AddOutboxMessage(new AccountDeleted(row.Id, email, now, pastAddresses), now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        adminCheck.Forget(row.Id);
        LogDeleted(row.Id, purgeAfter);
        return new(DeletionResult.Deleted, PurgeAfter: purgeAfter);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} deleted their account; the row is removed after {PurgeAfter}")]
    private partial void LogDeleted(Guid userId, DateTimeOffset purgeAfter);
}
