using Microsoft.EntityFrameworkCore;
using SalesMind.Contracts;
using SalesMind.Identity.Data;
using SalesMind.Outbox;

namespace SalesMind.Identity.AdminTokens;

/// <summary>Kills every admin token an account holds: a new token version, announced to the Notifier.</summary>
public static class AdminTokenRevocation
{
    public const string Deactivated = "deactivated";
    public const string RoleRemoved = "role_removed";
    public const string PasswordChanged = "password_changed";
    public const string EmailChangeUndone = "email_change_undone";
    public const string AccountDeleted = "account_deleted";

    /// <summary>
    /// Bumps the account's token version and stages <see cref="AdminTokensRevoked"/> in the
    /// caller's unit of work: call inside the caller's transaction, then SaveChanges and commit,
    /// so the change and its announcement are written together or not at all. Returns the new
    /// version, or null when there is no such account.
    /// </summary>
    public static async Task<int?> RevokeAsync(IdentityDb db, Guid userId, string reason, DateTimeOffset now, CancellationToken ct)
    {
        // In SQL, not on a tracked entity: a concurrent change cannot make the version go back.
        var versions = await db.Database
            .SqlQuery<int>($"UPDATE users SET token_version = token_version + 1 WHERE id = {userId} RETURNING token_version AS \"Value\"")
            .ToListAsync(ct);
        if (versions is not [var version])
        {
            return null;
        }

        db.AddOutboxMessage(new AdminTokensRevoked(userId, version, reason, now), now);
        return version;
    }
}
