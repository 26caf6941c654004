using Microsoft.EntityFrameworkCore;
using SalesMind.Contracts;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Data;
using SalesMind.Identity.Security;
using SalesMind.Outbox;

namespace SalesMind.Identity.PasswordReset;

/// <summary>Issuing reset links: the token row and the event that mails it, in the caller's transaction.</summary>
public static class PasswordResetMail
{
    /// <summary>
    /// Earlier links of <paramref name="user"/> stop working, and a new single-use one is mailed to
    /// the account's address. No rate limit here: the callers bound how often they get this far.
    /// </summary>
    public static async Task AddAsync(IdentityDb db, User user, string locale, AccountOptions settings, DateTimeOffset now, CancellationToken ct)
    {
        await RevokeAsync(db, user.Id, now, ct);
        var (token, hash) = OpaqueToken.Create();
        var expiresAt = now + settings.PasswordResetLifetime;
        db.PasswordResetTokens.Add(new PasswordResetToken
        {
            Id = Guid.CreateVersion7(now), UserId = user.Id, TokenHash = hash, CreatedAt = now, ExpiresAt = expiresAt,
        });
        db.AddOutboxMessage(new PasswordResetRequested(
            user.Id, user.Username, user.Email, locale, settings.Url($"/reset_password.html?token={token}"), expiresAt, now), now);
    }

    /// <summary>Every unused link of <paramref name="userId"/> says "expired" from now on.</summary>
    public static Task<int> RevokeAsync(IdentityDb db, Guid userId, DateTimeOffset now, CancellationToken ct) =>
        db.PasswordResetTokens.Where(t => t.UserId == userId && t.UsedAt == null && t.ExpiresAt > now)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.ExpiresAt, now), ct);
}
