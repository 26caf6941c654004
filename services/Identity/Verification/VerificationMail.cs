using Microsoft.EntityFrameworkCore;
using SalesMind.Contracts;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Data;
using SalesMind.Identity.Security;
using SalesMind.Outbox;

namespace SalesMind.Identity.Verification;

/// <summary>Issuing verification links: the token row and the event that mails it, in the caller's transaction.</summary>
public static class VerificationMail
{
    /// <param name="Code">The 6-digit code mailed beside the link; it dies with the link.</param>
    /// <param name="MessageId">The event that mails the link (null when the caller sends its own).</param>
    public sealed record IssuedLink(string Url, string Code, DateTimeOffset ExpiresAt, Guid? MessageId);

    /// <summary>
    /// A new single-use link and its code for <paramref name="user"/>, and (unless <paramref name="publish"/>
    /// is false, when the caller sends its own event) the <see cref="UserRegistered"/> that mails it.
    /// </summary>
    public static IssuedLink Add(IdentityDb db, User user, string locale, AccountOptions settings, DateTimeOffset now, bool publish = true)
    {
        var (token, tokenHash) = OpaqueToken.Create();
        var expiresAt = now + settings.VerificationTokenLifetime;
        var rowId = Guid.CreateVersion7(now);
        // One row holds both: the code is used, expired and revoked exactly when the link is.
        var (code, codeHash) = OneTimeCode.Create(settings.CodeKey!, rowId);
        db.VerificationTokens.Add(new EmailVerificationToken
        {
            Id = rowId,
            UserId = user.Id,
            TokenHash = tokenHash,
            CodeHash = codeHash,
            CreatedAt = now,
            ExpiresAt = expiresAt,
        });
        var url = settings.Url($"/api/auth/verify-email/?token={token}");
        Guid? messageId = publish
            ? db.AddOutboxMessage(new UserRegistered(user.Id, user.Username, user.Email, locale, url, expiresAt, now, code), now)
            : null;
        return new IssuedLink(url, code, expiresAt, messageId);
    }

    /// <summary>Earlier links stop working (they then say "expired"): only the newest one counts.</summary>
    public static Task<int> RevokeAsync(IdentityDb db, Guid userId, DateTimeOffset now, CancellationToken ct) =>
        db.VerificationTokens
            .Where(t => t.UserId == userId && t.UsedAt == null && t.ExpiresAt > now)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.ExpiresAt, now), ct);
}
