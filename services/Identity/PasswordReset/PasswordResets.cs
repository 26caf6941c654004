using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using SalesMind.Contracts;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.AdminTokens;
using SalesMind.Identity.Data;
using SalesMind.Identity.Security;
using SalesMind.Identity.Sessions;
using SalesMind.Identity.Web;
using SalesMind.Outbox;

namespace SalesMind.Identity.PasswordReset;

/// <summary>
/// How a reset link was used: done, or the field problems (message keys by field), or the taken
/// name of a contested sign-up's choice. <paramref name="CompletesSignup"/>: the link was a
/// contested sign-up's, so the username was asked for too.
/// </summary>
public sealed record ResetOutcome(IReadOnlyDictionary<string, string> Problems, bool UsernameTaken = false, bool CompletesSignup = false)
{
    public static readonly ResetOutcome Done = new(new Dictionary<string, string>());

    public static readonly ResetOutcome Taken = new(new Dictionary<string, string>(), UsernameTaken: true);

    public static ResetOutcome Token(string key) => new(new Dictionary<string, string> { ["token"] = key });

    public bool Succeeded => Problems.Count == 0 && !UsernameTaken;

    public bool IsTokenProblem => Problems.ContainsKey("token");
}

/// <summary>
/// Forgotten passwords: an emailed single-use link (1 h) and the new password. Setting it signs
/// the account out everywhere and lifts a lockout. The same link type also ends a contested
/// sign-up, where the mailbox's owner chooses the username too.
/// </summary>
public sealed partial class PasswordResets(
    IdentityDb db, PasswordHashing hashing, LoginGuard guard, IOptions<AccountOptions> options, TimeProvider time, ILoggerFactory loggers)
{
    private readonly ILogger log = loggers.CreateLogger("SalesMind.Identity.PasswordReset");

    /// <summary>Mails a link when the address has a verified, active account; the caller answers the same either way.</summary>
    public async Task RequestAsync(string email, string locale, CancellationToken ct)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var normalized = FieldRules.NormalizeEmail(email);
        var user = await db.Users.FromSql($"SELECT * FROM users WHERE normalized_email = {normalized} FOR UPDATE").SingleOrDefaultAsync(ct);
        // Only verified accounts: an unverified one has no password worth resetting yet (it gets
        // a verification link instead, through resend). One link a minute, as for verification.
        if (user is { EmailVerifiedAt: not null, IsActive: true, DeactivatedAt: null })
        {
            var recent = await db.PasswordResetTokens.Where(t => t.UserId == user.Id && t.CreatedAt > now.AddHours(-1))
                .Select(t => t.CreatedAt).ToListAsync(ct);
            // One link a minute and at most Identity:MaxResendsPerHour an hour: nobody can make an
            // address's inbox fill with reset emails.
            if (recent.Count < settings.MaxResendsPerHour && (recent.Count == 0 || now - recent.Max() >= settings.ResendCooldown))
            {
                await PasswordResetMail.AddAsync(db, user, locale, settings, now, ct);
                await db.SaveChangesAsync(ct);
            }
        }

        await tx.CommitAsync(ct);
    }

    /// <summary>Uses the link <paramref name="token"/>: a new password, or for a contested sign-up the username and password.</summary>
    public async Task<ResetOutcome> ConfirmAsync(HttpContext http, string? token, string? password, string? username, CancellationToken ct)
    {
        if (!OpaqueToken.IsWellFormed(token))
        {
            return ResetOutcome.Token("token.invalid");
        }

        var now = time.GetUtcNow();
        var hash = OpaqueToken.Hash(token!);
        var owner = await db.PasswordResetTokens.AsNoTracking().Where(t => t.TokenHash == hash).Select(t => (Guid?)t.UserId).SingleOrDefaultAsync(ct);
        if (owner is null)
        {
            return ResetOutcome.Token("token.invalid");
        }

        // Locks in one order everywhere: the user row, then its tokens (as sign-up, verification
        // and reset requests take them); two links of one account used at once then queue
        // instead of deadlocking.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = await db.Users.FromSql($"SELECT * FROM users WHERE id = {owner} FOR UPDATE").SingleOrDefaultAsync(ct);
        var stored = await db.PasswordResetTokens
            .FromSql($"SELECT * FROM password_reset_tokens WHERE token_hash = {hash} FOR UPDATE")
            .SingleOrDefaultAsync(ct);
        if (stored is null || user is null)
        {
            return ResetOutcome.Token("token.invalid");
        }

        if (stored.UsedAt is not null)
        {
            return ResetOutcome.Token("token.used");
        }

        if (stored.ExpiresAt <= now)
        {
            return ResetOutcome.Token("token.expired");
        }

        if (user.DeactivatedAt is not null)
        {
            // A link sent before an admin closed the account must not hand it a fresh password.
            return ResetOutcome.Token("token.deactivated");
        }

        if (stored.CompletesSignup)
        {
            return await CompleteSignupAsync(http, user, stored, username, password ?? "", now, ct);
        }

        password ??= "";
        if (FieldRules.PasswordProblem(password, user.Username) is { } problem)
        {
            return new(new Dictionary<string, string> { ["password"] = problem });
        }

        user.PasswordHash = await hashing.HashAsync(password);
        user.FailedLogins = 0;
        user.LockedUntil = null;
        stored.UsedAt = now;
        // Whoever held the old password may hold an admin token made with it: those die too.
        await AdminTokenRevocation.RevokeAsync(db, user.Id, AdminTokenRevocation.PasswordChanged, now, ct);
        await db.SaveChangesAsync(ct);
        // Whoever knew the old password is signed out too.
        await db.Sessions.Where(s => s.UserId == user.Id).ExecuteDeleteAsync(ct);
        // ... and a change of address they asked for dies: its link needs no session, only the mailbox they chose.
        await db.EmailChanges.RevokePendingAsync(user.Id, now, ct);
        // The lock strangers caused is lifted, and this browser becomes the only known device.
        await guard.AfterPasswordResetAsync(http, user.Id, ct);
        await tx.CommitAsync(ct);
        LogReset(log, user.Id);
        return ResetOutcome.Done;
    }

    /// <summary>
    /// The end of a contested sign-up: the person who opened a verification link (so owns the
    /// mailbox) chooses the username and password, and only now is the address verified. Whatever
    /// credentials any sign-up form submitted for this address are replaced.
    /// </summary>
    private async Task<ResetOutcome> CompleteSignupAsync(
        HttpContext http, User user, PasswordResetToken stored, string? requestedUsername, string password, DateTimeOffset now, CancellationToken ct)
    {
        if (user.EmailVerifiedAt is not null)
        {
            // Another set-password link of this sign-up was used first.
            return ResetOutcome.Token("token.used");
        }

        var username = FieldRules.NormalizeUsername(requestedUsername);
        var problems = new Dictionary<string, string>();
        if (FieldRules.UsernameProblem(username) is { } usernameProblem)
        {
            problems["username"] = usernameProblem;
        }

        if (FieldRules.PasswordProblem(password, username) is { } passwordProblem)
        {
            problems["password"] = passwordProblem;
        }

        if (problems.Count > 0)
        {
            return new(problems, CompletesSignup: true);
        }

        var normalized = FieldRules.NormalizedUsernameKey(username);
        if (await db.Users.AnyAsync(u => u.NormalizedUsername == normalized && u.Id != user.Id, ct))
        {
            return ResetOutcome.Taken;
        }

        user.Username = username;
        user.NormalizedUsername = normalized;
        user.PasswordHash = await hashing.HashAsync(password);
        user.FailedLogins = 0;
        user.LockedUntil = null;
        user.IsActive = true;
        user.EmailVerifiedAt = now;
        stored.UsedAt = now;
        var userLocale = await db.Profiles.Where(p => p.UserId == user.Id).Select(p => p.Locale).FirstOrDefaultAsync(ct) ?? Messages.DefaultLocale;
        db.AddOutboxMessage(new UserEmailVerified(user.Id, user.Email, now, user.Username, userLocale, options.Value.Url("/login.html")), now);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Someone signed up with that name a moment ago.
            return ResetOutcome.Taken;
        }

        // Every other link of this sign-up counts as used now: opening a verification link again
        // says "verified", as after any verification; another set-password link says "used".
        await db.VerificationTokens
            .Where(t => t.UserId == user.Id && t.UsedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.UsedAt, now), ct);
        await db.PasswordResetTokens
            .Where(t => t.UserId == user.Id && t.UsedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.UsedAt, now), ct);
        await db.Sessions.Where(s => s.UserId == user.Id).ExecuteDeleteAsync(ct);
        await db.EmailChanges.RevokePendingAsync(user.Id, now, ct);
        // A lock a stranger ran up on the pending account (with its sign-up name) is lifted, and
        // this browser, which just proved the mailbox, becomes the only known device.
        await guard.AfterPasswordResetAsync(http, user.Id, ct);
        await db.Database.CommitTransactionAsync(ct);
        LogSignupCompleted(log, user.Id);
        return ResetOutcome.Done;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} chose a username and password through a contested sign-up's link")]
    private static partial void LogSignupCompleted(ILogger logger, Guid userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} set a new password through a reset link")]
    private static partial void LogReset(ILogger logger, Guid userId);
}
