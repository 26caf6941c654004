using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesMind.Contracts;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Data;
using SalesMind.Identity.Security;
using SalesMind.Identity.Web;
using SalesMind.Outbox;

namespace SalesMind.Identity.Verification;

/// <summary>Where a click on a verification link leads: a page, with its query.</summary>
public readonly record struct VerifyOutcome(string Location)
{
    public const string SuccessPage = "/email_verified.html";
    public const string ErrorPage = "/email_verification_error.html";

    /// <summary>The set-password page, which with <c>signup=1</c> also asks for a username.</summary>
    public const string ChooseCredentialsPage = "/reset_password.html";

    public static readonly VerifyOutcome Verified = new(SuccessPage);

    /// <param name="reason"><c>invalid</c>, <c>expired</c>, <c>used</c> or <c>deactivated</c>.</param>
    public static VerifyOutcome Failed(string reason) => new($"{ErrorPage}?reason={reason}");

    public static VerifyOutcome ChooseCredentials(string token) => new($"{ChooseCredentialsPage}?token={token}&signup=1");
}

/// <summary>The verification link's rules, and new links on request.</summary>
public sealed partial class Verifier(IdentityDb db, IOptions<AccountOptions> options, TimeProvider time, ILoggerFactory loggers)
{
    private readonly ILogger log = loggers.CreateLogger("SalesMind.Identity.Verification");

    /// <summary>
    /// A new link for an address whose account is waiting for it, at most one per cooldown and a
    /// few an hour per address; each new link revokes the older ones. Returns the event that
    /// mails it, if one went out: the caller answers the same whether or not one did.
    /// </summary>
    public async Task<Guid?> ResendAsync(string email, string locale, CancellationToken ct)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var normalized = FieldRules.NormalizeEmail(email);
        var user = await db.Users.FromSql($"SELECT * FROM users WHERE normalized_email = {normalized} FOR UPDATE").SingleOrDefaultAsync(ct);
        Guid? mailed = null;
        if (user is { EmailVerifiedAt: null, DeactivatedAt: null })
        {
            var recent = await db.VerificationTokens
                .Where(t => t.UserId == user.Id && t.CreatedAt > now - TimeSpan.FromHours(1))
                .Select(t => t.CreatedAt)
                .ToListAsync(ct);
            if (recent.Count < settings.MaxResendsPerHour
                && (recent.Count == 0 || now - recent.Max() >= settings.ResendCooldown || await CodeIsSpentAsync(user.Id, normalized, now, ct)))
            {
                await VerificationMail.RevokeAsync(db, user.Id, now, ct);
                mailed = VerificationMail.Add(db, user, locale, settings, now).MessageId;
                await db.SaveChangesAsync(ct);
            }
        }

        // Every address alike, with an account or not, so the code's answers say nothing about
        // accounts (forgetting only when an email goes out would tell a waiting sign-up from a
        // stranger). A spent code is still no dead end: its resend skips the cooldown, above.
        await CodeFailures.ForgetAsync(db, normalized, ct);
        await tx.CommitAsync(ct);
        return mailed;
    }

    /// <summary>
    /// Whether the code answer already says "ask for a new email" (the newest email's code used up
    /// its wrong tries, or the address's count is at the limit): then the cooldown is no reason to
    /// wait, as nothing typed can work until a new email arrives. The hourly cap still holds.
    /// </summary>
    private async Task<bool> CodeIsSpentAsync(Guid userId, string normalized, DateTimeOffset now, CancellationToken ct)
    {
        var settings = options.Value;
        var newestAttempts = await db.VerificationTokens
            .Where(t => t.UserId == userId)
            .OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id)
            .Select(t => (int?)t.CodeAttempts)
            .FirstOrDefaultAsync(ct);
        return newestAttempts >= settings.MaxCodeAttempts
            || await CodeFailures.CountAsync(db, normalized, now, settings.LockoutDuration, ct) >= settings.MaxCodeAttempts;
    }

    /// <summary>
    /// The link in the email: the success page, the error page with a reason, or, for a contested
    /// sign-up, the page where the mailbox's owner chooses a username and password.
    /// </summary>
    public async Task<VerifyOutcome> VerifyAsync(string? token, CancellationToken ct)
    {
        if (!OpaqueToken.IsWellFormed(token))
        {
            return VerifyOutcome.Failed("invalid");
        }

        var hash = OpaqueToken.Hash(token!);
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);

        // Find the owner first, then lock the user before the token, in the order sign-up, resend
        // and the reminder job take them: the other order deadlocks with a sign-up revoking links.
        var userId = await db.VerificationTokens.Where(t => t.TokenHash == hash).Select(t => (Guid?)t.UserId).SingleOrDefaultAsync(ct);
        if (userId is null)
        {
            return VerifyOutcome.Failed("invalid");
        }

        // Two clicks at once (a mail scanner and the person), or two links of one user, must not
        // both activate the account and both publish UserEmailVerified.
        var user = await db.Users.FromSql($"SELECT * FROM users WHERE id = {userId} FOR UPDATE").SingleOrDefaultAsync(ct);
        var stored = await db.VerificationTokens
            .FromSql($"SELECT * FROM email_verification_tokens WHERE token_hash = {hash} FOR UPDATE")
            .SingleOrDefaultAsync(ct);

        // The lookup is by hash, so the secret itself is never compared; comparing the hashes in
        // constant time as well keeps that true if the lookup ever changes.
        if (user is null || stored is null || !OpaqueToken.Matches(stored.TokenHash, hash))
        {
            return VerifyOutcome.Failed("invalid");
        }

        // Before anything else: no link of any age turns a deactivated account back on.
        if (user.DeactivatedAt is not null)
        {
            return VerifyOutcome.Failed("deactivated");
        }

        if (stored.UsedAt is not null)
        {
            // Mail scanners often open links before people do: a second click is still success.
            return user.IsActive ? VerifyOutcome.Verified : VerifyOutcome.Failed("used");
        }

        if (stored.ExpiresAt <= now)
        {
            return VerifyOutcome.Failed("expired");
        }

        if (user is { EmailVerifiedAt: null, ContestedAt: not null })
        {
            // Two or more sign-ups claimed this address: the password of none of them becomes
            // active. The click proves the mailbox; its owner now chooses the credentials. The link
            // stays usable (a mail scanner opening it must not use it up), each click getting its
            // own set-password token; the first one used verifies the address and revokes the rest.
            var setToken = AddChooseCredentialsToken(user, now);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            LogContestedClick(log, user.Id);
            return VerifyOutcome.ChooseCredentials(setToken);
        }

        await ActivateAsync(user, stored, now, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        LogVerified(log, user.Id);
        return VerifyOutcome.Verified;
    }

    /// <summary>
    /// A set-password token that finishes a contested sign-up (the link or code proved the
    /// mailbox, but no typed password may become active). Returns the token for the page's URL.
    /// </summary>
    private string AddChooseCredentialsToken(User user, DateTimeOffset now)
    {
        var (setToken, setHash) = OpaqueToken.Create();
        db.PasswordResetTokens.Add(new PasswordResetToken
        {
            Id = Guid.CreateVersion7(now),
            UserId = user.Id,
            TokenHash = setHash,
            CreatedAt = now,
            ExpiresAt = now + options.Value.PasswordResetLifetime,
            CompletesSignup = true,
        });
        return setToken;
    }

    /// <summary>Uses the link (and so its code) and, the first time, activates the account and publishes <see cref="UserEmailVerified"/>.</summary>
    private async Task ActivateAsync(User user, EmailVerificationToken stored, DateTimeOffset now, CancellationToken ct)
    {
        stored.UsedAt = now;
        if (user.EmailVerifiedAt is null)
        {
            user.IsActive = true;
            user.EmailVerifiedAt = now;
            var locale = await db.Profiles.Where(p => p.UserId == user.Id).Select(p => p.Locale).FirstOrDefaultAsync(ct) ?? Messages.DefaultLocale;
            db.AddOutboxMessage(new UserEmailVerified(user.Id, user.Email, now, user.Username, locale, options.Value.Url("/login.html")), now);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A link of contested sign-up {UserId} was opened; its owner now chooses the credentials")]
    private static partial void LogContestedClick(ILogger logger, Guid userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} verified their email address")]
    private static partial void LogVerified(ILogger logger, Guid userId);
}
