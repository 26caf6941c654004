using Microsoft.EntityFrameworkCore;

namespace SalesMind.Identity.Accounts;

/// <summary>
/// Voiding an account's unconfirmed address changes, in the caller's transaction. Here rather
/// than in EmailChanges so that every writer of an account's credentials (password change and
/// reset, deactivation) can call it without importing the address change.
/// </summary>
public static class PendingEmailChanges
{
    /// <summary>Every unconfirmed change of <paramref name="userId"/> says "expired" from now on; returns how many.</summary>
    public static Task<int> RevokePendingAsync(this IQueryable<EmailChange> changes, Guid userId, DateTimeOffset now, CancellationToken ct) =>
        changes.Where(c => c.UserId == userId && c.ConfirmedAt == null && c.RevokedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.RevokedAt, now), ct);
}
