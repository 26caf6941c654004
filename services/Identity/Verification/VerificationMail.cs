using Microsoft.EntityFrameworkCore;
using SalesMind.Contracts;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Data;
using SalesMind.Outbox;

namespace SalesMind.Identity.Verification;

/// <summary>Issuing verification links: the token row and the event that mails it, in the caller's transaction.</summary>
public static class VerificationMail
{
    /// <summary>A new single-use link for <paramref name="user"/>, and the event that mails it.</summary>
    public static void Add(IdentityDb db, User user, string locale, AccountOptions settings, DateTimeOffset now)
    {
        var (token, tokenHash) = VerificationToken.Create();
        var expiresAt = now + settings.VerificationTokenLifetime;
        db.VerificationTokens.Add(new EmailVerificationToken
        {
            Id = Guid.CreateVersion7(now),
            UserId = user.Id,
            TokenHash = tokenHash,
            CreatedAt = now,
            ExpiresAt = expiresAt,
        });
        db.AddOutboxMessage(new UserRegistered(
            user.Id, user.Username, user.Email, locale,
            settings.Url($"/api/auth/verify-email/?token={token}"), expiresAt, now), now);
    }

    /// <summary>Earlier links stop working (they then say "expired"): only the newest one counts.</summary>
    public static Task<int> RevokeAsync(IdentityDb db, Guid userId, DateTimeOffset now, CancellationToken ct) =>
        db.VerificationTokens
            .Where(t => t.UserId == userId && t.UsedAt == null && t.ExpiresAt > now)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.ExpiresAt, now), ct);
}
