using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.AdminTokens;
using SalesMind.Identity.Audit;
using SalesMind.Identity.Data;
using SalesMind.Identity.Verification;
using SalesMind.ServiceDefaults;

namespace SalesMind.Identity.Admin;

/// <summary>What an admin change came to; the endpoints turn each refusal into its problem.</summary>
public enum AdminChange
{
    Done,
    NotFound,
    Deactivated,
    AlreadyVerified,

    /// <summary>The acting admin lost the role or the account between the token check and the change.</summary>
    ActorNotAdmin,

    /// <summary>The change would leave no active admin.</summary>
    LastAdmin,

    /// <summary>An admin takes the admin role from their own account: another admin must.</summary>
    OwnAdminRole,

    /// <summary>The owner deleted the account: only the owner's undo brings it back.</summary>
    Deleted,

    /// <summary>The role is given only to a verified, active account.</summary>
    NotVerified,

    UnknownRole,

    /// <summary>A field breaks the profile's rules (the sign-up's); the keys are in the caller's errors.</summary>
    Invalid,
}

/// <summary>
/// What admins may do to accounts: find them, see their sessions and audit, resend a
/// verification, deactivate and reactivate, grant and take roles, edit the profile. Every change
/// is written with its <see cref="AccountAudit"/> row in the same transaction, under one lock
/// (<see cref="LockName"/>): the "one active admin at least" rule reads rows other than the one it
/// changes, so two admins demoting each other at once must not both succeed. The reads are in
/// UserAdmin.Queries.cs, roles in UserAdmin.Roles.cs, the profile in UserAdmin.Profile.cs.
/// </summary>
public sealed partial class UserAdmin(IdentityDb db, AdminAccountCheck adminCheck, IOptions<AccountOptions> options, TimeProvider time)
{
    public const string LockName = "salesmind:user-admin";

    public static class Actions
    {
        public const string VerificationResent = "verification.resent";
        public const string Deactivated = "deactivated";
        public const string Reactivated = "reactivated";
        public const string RoleGranted = "role.granted";
        public const string RoleRevoked = "role.revoked";
        public const string ProfileUpdated = "profile.updated";
    }

    /// <summary>A new verification link for a pending account (the older ones stop working).</summary>
    public Task<AdminChange> ResendVerificationAsync(Guid actorId, Guid id, CancellationToken ct) =>
        ChangeAsync(actorId, id, async (actor, user, now) =>
        {
            if (user.DeactivatedAt is not null || user.DeletedAt is not null)
            {
                return AdminChange.Deactivated;
            }

            if (user.EmailVerifiedAt is not null)
            {
                return AdminChange.AlreadyVerified;
            }

            await VerificationMail.RevokeAsync(db, user.Id, now, ct);
            var profile = await db.Profiles.AsNoTracking().SingleOrDefaultAsync(p => p.UserId == user.Id, ct);
            VerificationMail.Add(db, user, profile?.Locale ?? "ja", options.Value, now);
            // The address is not written: the audit outlives the account, the address must not.
            AccountAudit.Add(db, actor, user.Id, Actions.VerificationResent, null, new { VerificationEmail = "queued" }, now);
            return AdminChange.Done;
        }, ct);

    /// <summary>
    /// The account can no longer log in; its sessions and admin tokens end now. Pending or
    /// verified, it stays so whatever link is opened later (each link checks <c>deactivated_at</c>,
    /// not just <c>is_active</c>, which also means "not verified yet"). Deactivating again keeps
    /// the first time (and is not audited again) but still ends every token. Refused when it would
    /// leave no active admin.
    /// </summary>
    public Task<AdminChange> DeactivateAsync(Guid actorId, Guid id, CancellationToken ct) =>
        ChangeAsync(actorId, id, async (actor, user, now) =>
        {
            if (IsActiveAdmin(user) && !await AnotherActiveAdminAsync(user.Id, ct))
            {
                return AdminChange.LastAdmin;
            }

            var before = new { user.IsActive, user.DeactivatedAt };
            var first = user.DeactivatedAt is null;
            user.IsActive = false;
            user.DeactivatedAt ??= now;
            await db.SaveChangesAsync(ct);
            var ended = await db.Sessions.Where(s => s.UserId == user.Id).ExecuteDeleteAsync(ct);
            await AdminTokenRevocation.RevokeAsync(db, user.Id, AdminTokenRevocation.Deactivated, now, ct);
            // A confirmation link needs no session: it must not move a closed account to a new address.
            await db.EmailChanges.RevokePendingAsync(user.Id, now, ct);
            if (first)
            {
                AccountAudit.Add(db, actor, user.Id, Actions.Deactivated, before,
                    new { user.IsActive, user.DeactivatedAt, SessionsEnded = ended }, now);
            }

            return AdminChange.Done;
        }, ct);

    /// <summary>
    /// Undoes a deactivation: the account may log in again (once its address is verified, if it
    /// was not). Sessions and tokens ended by the deactivation stay ended. An account its owner
    /// deleted is not brought back here.
    /// </summary>
    public Task<AdminChange> ReactivateAsync(Guid actorId, Guid id, CancellationToken ct) =>
        ChangeAsync(actorId, id, (actor, user, now) =>
        {
            if (user.DeletedAt is not null)
            {
                return Task.FromResult(AdminChange.Deleted);
            }

            if (user.DeactivatedAt is null)
            {
                return Task.FromResult(AdminChange.Done);
            }

            var before = new { user.IsActive, user.DeactivatedAt };
            user.DeactivatedAt = null;
            // is_active also means "verified": an unverified account stays pending until its link is opened.
            user.IsActive = user.EmailVerifiedAt is not null;
            AccountAudit.Add(db, actor, user.Id, Actions.Reactivated, before, new { user.IsActive, user.DeactivatedAt }, now);
            return Task.FromResult(AdminChange.Done);
        }, ct);

    /// <summary>
    /// Runs <paramref name="change"/> on the locked account <paramref name="id"/> in one
    /// transaction, if <paramref name="actorId"/> is still an active admin once the lock is held.
    /// </summary>
    private async Task<AdminChange> ChangeAsync(Guid actorId, Guid id, Func<User, User, DateTimeOffset, Task<AdminChange>> change, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({LockName}, 0))", ct);
        // The time is read once the lock is held: the audit's order is then the order the changes were made in.
        var now = time.GetUtcNow();
        // Read again under the lock: the token was checked before another admin's change committed.
        var actor = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == actorId, ct);
        if (actor is null || !IsActiveAdmin(actor))
        {
            return AdminChange.ActorNotAdmin;
        }

        var user = await db.Users.FromSql($"SELECT * FROM users WHERE id = {id} FOR UPDATE").SingleOrDefaultAsync(ct);
        if (user is null)
        {
            return AdminChange.NotFound;
        }

        var result = await change(actor, user, now);
        if (result != AdminChange.Done)
        {
            return result;
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        adminCheck.Forget(id);
        return AdminChange.Done;
    }

    private static bool IsActiveAdmin(User user) =>
        user is { IsActive: true, DeactivatedAt: null, DeletedAt: null } && user.Roles.Contains(AdminAuth.AdminRole);

    private Task<bool> AnotherActiveAdminAsync(Guid except, CancellationToken ct) =>
        db.Users.AnyAsync(u => u.Id != except && u.IsActive && u.DeactivatedAt == null && u.DeletedAt == null
            && u.Roles.Contains(AdminAuth.AdminRole), ct);
}
