using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.AddressStates;
using SalesMind.Identity.AdminTokens;
using SalesMind.Identity.Data;
using SalesMind.Identity.Verification;

namespace SalesMind.Identity.Admin;

public enum AdminChange
{
    Done,
    NotFound,
    Deactivated,
    AlreadyVerified,
}

/// <summary>A page of accounts with the latest delivery report of each address.</summary>
public sealed record AccountPage(IReadOnlyList<User> Users, IReadOnlyDictionary<string, EmailAddressState> States, Guid? Next);

/// <summary>What admins may do to accounts: find them, see their state, resend a verification, deactivate, take roles away.</summary>
public sealed class UserAdmin(IdentityDb db, AdminAccountCheck adminCheck, IOptions<AccountOptions> options, TimeProvider time)
{
    public const int MaxPage = 200;

    /// <summary>Newest first (keyset on the version-7 ids: stable while accounts are being created).</summary>
    public async Task<AccountPage> ListAsync(string? q, bool? verified, int limit, Guid? after, CancellationToken ct)
    {
        var query = db.Users.AsNoTracking().Include(u => u.Profile).AsQueryable();
        if (!string.IsNullOrWhiteSpace(q))
        {
            var prefix = q.Trim().ToLowerInvariant();
            query = query.Where(u => u.NormalizedUsername.StartsWith(prefix) || u.NormalizedEmail.StartsWith(prefix));
        }

        if (verified is { } v)
        {
            query = v ? query.Where(u => u.EmailVerifiedAt != null) : query.Where(u => u.EmailVerifiedAt == null);
        }

        if (after is { } cursor)
        {
            // Ids are version-7 GUIDs: ordered by creation time.
            query = query.Where(u => u.Id.CompareTo(cursor) < 0);
        }

        limit = Math.Clamp(limit, 1, MaxPage);
        var page = await query.OrderByDescending(u => u.Id).Take(limit + 1).ToListAsync(ct);
        var next = page.Count > limit ? page[limit - 1].Id : (Guid?)null;
        var shown = page.Take(limit).ToList();
        return new AccountPage(shown, await StatesAsync(shown.Select(u => u.NormalizedEmail), ct), next);
    }

    public async Task<AccountPage?> GetAsync(Guid id, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().Include(u => u.Profile).SingleOrDefaultAsync(u => u.Id == id, ct);
        return user is null ? null : new AccountPage([user], await StatesAsync([user.NormalizedEmail], ct), null);
    }

    /// <summary>A new verification link for a pending account (the older ones stop working).</summary>
    public async Task<AdminChange> ResendVerificationAsync(Guid id, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = await db.Users.Include(u => u.Profile).SingleOrDefaultAsync(u => u.Id == id, ct);
        if (user is null)
        {
            return AdminChange.NotFound;
        }

        if (user.DeactivatedAt is not null)
        {
            return AdminChange.Deactivated;
        }

        if (user.EmailVerifiedAt is not null)
        {
            return AdminChange.AlreadyVerified;
        }

        await VerificationMail.RevokeAsync(db, user.Id, now, ct);
        VerificationMail.Add(db, user, user.Profile?.Locale ?? "ja", options.Value, now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return AdminChange.Done;
    }

    /// <summary>
    /// The account can no longer log in; its sessions and admin tokens end now. Pending or
    /// verified, it stays so whatever link is opened later (each link checks <c>deactivated_at</c>,
    /// not just <c>is_active</c>, which also means "not verified yet"). Deactivating again keeps the first time.
    /// </summary>
    public async Task<AdminChange> DeactivateAsync(Guid id, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var updated = await db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(set => set
            .SetProperty(u => u.IsActive, false)
            .SetProperty(u => u.DeactivatedAt, u => u.DeactivatedAt ?? now), ct);
        if (updated == 0)
        {
            return AdminChange.NotFound;
        }

        await db.Sessions.Where(s => s.UserId == id).ExecuteDeleteAsync(ct);
        await AdminTokenRevocation.RevokeAsync(db, id, AdminTokenRevocation.Deactivated, time.GetUtcNow(), ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        adminCheck.Forget(id);
        return AdminChange.Done;
    }

    /// <summary>Takes a role (e.g. <c>admin</c>) away; losing <c>admin</c> ends the account's admin tokens on both services.</summary>
    public async Task<AdminChange> RemoveRoleAsync(Guid id, string role, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = await db.Users.FromSql($"SELECT * FROM users WHERE id = {id} FOR UPDATE").SingleOrDefaultAsync(ct);
        if (user is null)
        {
            return AdminChange.NotFound;
        }

        if (user.Roles.Contains(role))
        {
            user.Roles = [.. user.Roles.Where(r => r != role)];
            await AdminTokenRevocation.RevokeAsync(db, id, AdminTokenRevocation.RoleRemoved, time.GetUtcNow(), ct);
            await db.SaveChangesAsync(ct);
        }

        await tx.CommitAsync(ct);
        adminCheck.Forget(id);
        return AdminChange.Done;
    }

    private async Task<Dictionary<string, EmailAddressState>> StatesAsync(IEnumerable<string> emails, CancellationToken ct)
    {
        var keys = emails.ToList();
        return await db.AddressStates.AsNoTracking().Where(s => keys.Contains(s.NormalizedEmail)).ToDictionaryAsync(s => s.NormalizedEmail, ct);
    }
}
