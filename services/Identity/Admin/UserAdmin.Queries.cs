using System.Text;
using Microsoft.EntityFrameworkCore;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.AddressStates;

namespace SalesMind.Identity.Admin;

/// <summary>The account list's <c>status</c> filter.</summary>
public enum AccountStatus
{
    /// <summary>The address is verified and no admin deactivated the account.</summary>
    Verified,

    /// <summary>The address is not verified yet (and no admin deactivated the account).</summary>
    Unverified,

    /// <summary>Too many wrong passwords: no login before <c>locked_until</c>.</summary>
    Locked,

    /// <summary>An admin deactivated the account.</summary>
    Deactivated,
}

/// <summary>A page of accounts with the latest delivery report of each address.</summary>
public sealed record AccountPage(IReadOnlyList<User> Users, IReadOnlyDictionary<string, EmailAddressState> States, Guid? Next);

/// <summary>One row of the audit, with the target's current username (null once the account is gone).</summary>
public sealed record AuditRow(AccountAuditEntry Entry, string? TargetUsername);

public sealed partial class UserAdmin
{
    public const int MaxPage = 200;

    /// <summary>
    /// Newest first (keyset on the version-7 ids: stable while accounts are being created).
    /// <paramref name="q"/> matches the start of the username or the address, compared in the
    /// form they are stored in (NFKC, lower case).
    /// </summary>
    public async Task<AccountPage> ListAsync(string? q, AccountStatus? status, bool? verified, int limit, Guid? after, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var query = db.Users.AsNoTracking().Include(u => u.Profile).AsQueryable();
        if (!string.IsNullOrWhiteSpace(q))
        {
            var prefix = SearchKey(q);
            query = query.Where(u => u.NormalizedUsername.StartsWith(prefix) || u.NormalizedEmail.StartsWith(prefix));
        }

        query = status switch
        {
            AccountStatus.Verified => query.Where(u => u.EmailVerifiedAt != null && u.DeactivatedAt == null),
            AccountStatus.Unverified => query.Where(u => u.EmailVerifiedAt == null && u.DeactivatedAt == null),
            AccountStatus.Locked => query.Where(u => u.LockedUntil > now),
            AccountStatus.Deactivated => query.Where(u => u.DeactivatedAt != null),
            _ => query,
        };

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

    /// <summary>The account's sessions that have not expired, the most recently used first; null when there is no such account.</summary>
    public async Task<List<Session>?> SessionsAsync(Guid id, CancellationToken ct)
    {
        if (!await db.Users.AnyAsync(u => u.Id == id, ct))
        {
            return null;
        }

        var now = time.GetUtcNow();
        return await db.Sessions.AsNoTracking().Where(s => s.UserId == id && s.ExpiresAt > now)
            .OrderByDescending(s => s.LastSeenAt).ThenByDescending(s => s.CreatedAt).Take(MaxPage).ToListAsync(ct);
    }

    /// <summary>The audit, newest first, of one account (<paramref name="target"/>) or of all; <c>Next</c> is the cursor of the following page.</summary>
    public async Task<(List<AuditRow> Rows, Guid? Next)> AuditAsync(Guid? target, int limit, Guid? after, CancellationToken ct)
    {
        var query = db.AccountAudit.AsNoTracking();
        if (target is { } t)
        {
            query = query.Where(e => e.TargetUserId == t);
        }

        if (after is { } cursor)
        {
            // Keyset on (time, id): ids alone share a millisecond in any order.
            var at = await db.AccountAudit.Where(e => e.Id == cursor).Select(e => (DateTimeOffset?)e.At).SingleOrDefaultAsync(ct);
            if (at is null)
            {
                return ([], null);
            }

            query = query.Where(e => e.At < at || (e.At == at && e.Id.CompareTo(cursor) < 0));
        }

        limit = Math.Clamp(limit, 1, MaxPage);
        var rows = await query.OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(limit + 1)
            .Select(e => new AuditRow(e, db.Users.Where(u => u.Id == e.TargetUserId).Select(u => u.Username).FirstOrDefault()))
            .ToListAsync(ct);
        var shown = rows.Take(limit).ToList();
        return (shown, rows.Count > limit ? shown[^1].Entry.Id : null);
    }

    /// <summary>The search text in the form names and addresses are stored in.</summary>
    public static string SearchKey(string q)
    {
        var trimmed = q.Trim();
        try
        {
            trimmed = trimmed.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            // Text that cannot be normalized matches nothing stored anyway.
        }

        return trimmed.ToLowerInvariant();
    }

    private async Task<Dictionary<string, EmailAddressState>> StatesAsync(IEnumerable<string> emails, CancellationToken ct)
    {
        var keys = emails.ToList();
        return await db.AddressStates.AsNoTracking().Where(s => keys.Contains(s.NormalizedEmail)).ToDictionaryAsync(s => s.NormalizedEmail, ct);
    }
}
