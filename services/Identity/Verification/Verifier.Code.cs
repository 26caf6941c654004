using Microsoft.EntityFrameworkCore;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Security;

namespace SalesMind.Identity.Verification;

/// <summary>What a typed verification code led to.</summary>
/// <param name="Next">The page to go to on success, as after the link (null when refused).</param>
/// <param name="Refusal">Null on success; otherwise <see cref="Wrong"/> or <see cref="ResendNeeded"/>.</param>
public readonly record struct CodeOutcome(string? Next, string? Refusal)
{
    /// <summary>The code did not work (wrong, expired, used, or no account waits for it: one answer for all).</summary>
    public const string Wrong = "wrong";

    /// <summary>Too many wrong codes for the address: only a new email's code can work now.</summary>
    public const string ResendNeeded = "resend";

    public bool Verified => Refusal is null;

    /// <summary><c>verified</c>, or <c>choose_credentials</c> for a contested sign-up.</summary>
    public string Status => Next?.StartsWith(VerifyOutcome.ChooseCredentialsPage, StringComparison.Ordinal) == true ? "choose_credentials" : "verified";
}

public sealed partial class Verifier
{
    /// <summary>
    /// The 6-digit code typed instead of opening the link: it works exactly like the link of the
    /// same email (the account's newest one), and is refused with one answer, whatever the
    /// reason, for an address with no account waiting, so the answer says nothing about accounts.
    /// </summary>
    public async Task<CodeOutcome> VerifyCodeAsync(string email, string typedCode, CancellationToken ct)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var normalized = FieldRules.NormalizeEmail(email);
        var code = OneTimeCode.Normalize(typedCode);
        await using var tx = await db.Database.BeginTransactionAsync(ct);

        // The user before its token, as a link click, sign-up, resend and the reminder job lock
        // them: the other order deadlocks. This lock also serializes every try for the address,
        // so two correct codes at once verify once and wrong ones are counted one by one.
        var user = await db.Users.FromSql($"SELECT * FROM users WHERE normalized_email = {normalized} FOR UPDATE").SingleOrDefaultAsync(ct);
        var stored = user is null
            ? null
            : await db.VerificationTokens
                .FromSql($"SELECT * FROM email_verification_tokens WHERE user_id = {user.Id} ORDER BY created_at DESC, id DESC LIMIT 1 FOR UPDATE")
                .SingleOrDefaultAsync(ct);

        // Counted before the code is compared: at the limit nothing is compared at all.
        if (await CodeFailures.CountAsync(db, normalized, now, settings.LockoutDuration, ct) >= settings.MaxCodeAttempts)
        {
            await tx.CommitAsync(ct);
            return new CodeOutcome(null, CodeOutcome.ResendNeeded);
        }

        var usable = user is { DeactivatedAt: null, DeletedAt: null, EmailVerifiedAt: null }
            && stored is { UsedAt: null, CodeHash: not null } && stored.ExpiresAt > now && stored.CodeAttempts < settings.MaxCodeAttempts;
        // Compare even when nothing is usable, so a missing account costs the same work.
        var matches = OneTimeCode.Matches(settings.CodeKey!, stored?.CodeHash ?? NoHash, stored?.Id ?? Guid.Empty, code ?? "");
        if (!usable || !matches || code is null)
        {
            if (usable)
            {
                // This code's own limit: it dies at the limit, whatever the address's count says.
                stored!.CodeAttempts++;
                await db.SaveChangesAsync(ct);
            }

            var failures = await CodeFailures.AddAsync(db, normalized, now, settings.LockoutDuration, ct);
            await tx.CommitAsync(ct);
            LogWrongCode(log);
            return new CodeOutcome(null, failures >= settings.MaxCodeAttempts ? CodeOutcome.ResendNeeded : CodeOutcome.Wrong);
        }

        await CodeFailures.ForgetAsync(db, normalized, ct);
        if (user!.ContestedAt is not null)
        {
            // As the link does for a contested sign-up: the code proved the mailbox, its owner
            // now chooses the credentials, and the code stays usable like the link does.
            var setToken = AddChooseCredentialsToken(user, now);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            LogContestedClick(log, user.Id);
            return new CodeOutcome(VerifyOutcome.ChooseCredentials(setToken).Location, null);
        }

        await ActivateAsync(user, stored!, now, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        LogVerified(log, user.Id);
        return new CodeOutcome(VerifyOutcome.SuccessPage, null);
    }

    private static readonly byte[] NoHash = new byte[32];

    [LoggerMessage(Level = LogLevel.Information, Message = "A verification code was refused")]
    private static partial void LogWrongCode(ILogger logger);
}
