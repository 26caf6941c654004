using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesMind.Contracts;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.AdminTokens;
using SalesMind.Identity.Audit;
using SalesMind.Identity.Data;
using SalesMind.Identity.Security;
using SalesMind.Identity.Sessions;
using SalesMind.Identity.Web;
using SalesMind.Outbox;

namespace SalesMind.Identity.Profile;

public enum PasswordChangeResult
{
    Changed,

    /// <summary>The new password breaks a rule (<see cref="PasswordChange.Problem"/> is the message key); nothing was checked or counted.</summary>
    Invalid,

    /// <summary>The current password is wrong; the attempt was counted like a failed login.</summary>
    WrongPassword,

    /// <summary>No attempt left on the account (or this browser): the login lock, <see cref="PasswordChange.Wait"/> until it ends.</summary>
    Locked,

    /// <summary>The password-hashing queue is full; nothing was counted.</summary>
    Busy,

    /// <summary>This session ended meanwhile (another session changed the password first).</summary>
    SessionEnded,
}

/// <param name="Field">For <see cref="PasswordChangeResult.Invalid"/>: <c>current_password</c> or <c>new_password</c>.</param>
/// <param name="OtherSessionsEnded">For <see cref="PasswordChangeResult.Changed"/>: how many other sessions were signed out.</param>
/// <param name="SessionToken">For <see cref="PasswordChangeResult.Changed"/>: this session's new cookie value, until <paramref name="SessionExpiresAt"/>.</param>
public sealed record PasswordChange(
    PasswordChangeResult Result, string? Field = null, string? Problem = null, TimeSpan Wait = default, int OtherSessionsEnded = 0,
    string? SessionToken = null, DateTimeOffset SessionExpiresAt = default);

/// <summary>
/// A signed-in owner changes the password. The current one is checked by the login's own guard
/// (<see cref="LoginGuard"/>), on the account's own counter: a stolen session cannot try more
/// passwords here than a stranger can at the login form, and the two share one budget. A change
/// signs every other session out, gives this one a new token, kills the account's admin tokens
/// and mails the owner.
/// </summary>
public sealed partial class PasswordChanger(
    IdentityDb db, LoginGuard guard, PasswordHashing hashing, IOptions<AccountOptions> options, TimeProvider time, ILogger<PasswordChanger> log)
{
    public const string SimilarToEmail = "password.similar_email";

    /// <summary>The message key of the first rule the new password breaks: sign-up's rules, and not like the address either.</summary>
    public static string? NewPasswordProblem(string password, User user)
    {
        if (FieldRules.PasswordProblem(password, user.Username) is { } problem)
        {
            return problem;
        }

        var local = user.Email.Split('@', 2)[0];
        return FieldRules.IsTooSimilar(password, user.Email) || FieldRules.IsTooSimilar(password, local) ? SimilarToEmail : null;
    }

    public async Task<PasswordChange> ChangeAsync(HttpContext http, SignedIn me, string current, string next, CancellationToken ct)
    {
        if (current.Length is 0 or > FieldRules.PasswordMax)
        {
            return new(PasswordChangeResult.Invalid, "current_password", "password.required");
        }

        // The rules first: they are public, so checking them costs no attempt and reveals nothing.
        if (NewPasswordProblem(next, me.User) is { } problem)
        {
            return new(PasswordChangeResult.Invalid, "new_password", problem);
        }

        var check = await guard.CheckAsync(http, me.User, me.User.NormalizedUsername, current, ct);
        switch (check.Verdict)
        {
            case LoginVerdict.Busy:
                return new(PasswordChangeResult.Busy, Wait: check.Wait);
            case LoginVerdict.Locked:
                return new(PasswordChangeResult.Locked, Wait: check.Wait);
            case LoginVerdict.WrongPassword:
                // The same growing slow-down as a failed login.
                await Task.Delay(check.Wait, time, ct);
                return new(PasswordChangeResult.WrongPassword, "current_password");
        }

        var hash = await hashing.HashAsync(next);
        var now = time.GetUtcNow();
        // The user row first, as every writer of an account's credentials locks it: two changes
        // from two sessions at once go one after the other, and the second finds its session gone.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = await db.Users.FromSql($"SELECT * FROM users WHERE id = {me.User.Id} FOR UPDATE").SingleOrDefaultAsync(ct);
        if (user is null || user.DeletedAt is not null || !await db.Sessions.AnyAsync(s => s.Id == me.Session.Id && s.ExpiresAt > now, ct))
        {
            return new(PasswordChangeResult.SessionEnded);
        }

        user.PasswordHash = hash;
        // Whoever held the old password may hold an admin token made with it.
        await AdminTokenRevocation.RevokeAsync(db, user.Id, AdminTokenRevocation.PasswordChanged, now, ct);
        // Whoever knew the old password may be signed in somewhere: only this browser stays, and
        // under a new token, so a copy of this very session's cookie dies too.
        var ended = await AccountSessions.EndOthersAsync(db, user.Id, me.Session.Id, ct);
        var (token, tokenHash) = OpaqueToken.Create();
        await db.Sessions.Where(s => s.Id == me.Session.Id).ExecuteUpdateAsync(set => set.SetProperty(s => s.TokenHash, tokenHash), ct);
        // An address change they asked for dies too: its link needs no session, only the mailbox they chose.
        await db.EmailChanges.RevokePendingAsync(user.Id, now, ct);
        // Other browsers' device cookies no longer earn guesses of their own.
        await guard.TrustOnlyThisDeviceAsync(http, user.Id, ct);
        AccountAudit.Add(db, me.User, user.Id, "password.changed", null, new { other_sessions_ended = ended }, now);
        var locale = Messages.LocaleOf(me.User.Profile?.Locale);
        var device = DeviceNames.Describe(DeviceNames.UserAgentOf(http.Request)).ToString();
        db.AddOutboxMessage(new PasswordChanged(user.Id, user.Username, user.Email, locale, device, options.Value.Url("/forgot_password.html"), now), now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        LogChanged(log, user.Id, ended);
        return new(PasswordChangeResult.Changed, OtherSessionsEnded: ended, SessionToken: token, SessionExpiresAt: me.Session.ExpiresAt);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} changed their password; {Ended} other sessions ended")]
    private static partial void LogChanged(ILogger logger, Guid userId, int ended);
}
