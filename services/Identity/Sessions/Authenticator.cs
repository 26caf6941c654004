using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Data;
using SalesMind.Identity.Security;

namespace SalesMind.Identity.Sessions;

public enum LoginResult
{
    SignedIn,

    /// <summary>The password-hashing queue is full; nothing was counted.</summary>
    Busy,

    /// <summary>No attempt left for this account, name or device; the same answer for all three.</summary>
    Locked,

    /// <summary>Wrong password or no such account (indistinguishable), after the slow-down owed.</summary>
    WrongPassword,

    /// <summary>The right password, but an admin closed the account.</summary>
    Deactivated,

    /// <summary>The right password, but the address is not verified yet.</summary>
    NotVerified,
}

/// <param name="Wait">For <see cref="LoginResult.Locked"/>: the time until the lock ends.</param>
/// <param name="Token">For <see cref="LoginResult.SignedIn"/>: the session cookie's value, until <paramref name="ExpiresAt"/>.</param>
public sealed record LoginOutcome(LoginResult Result, User? User = null, TimeSpan Wait = default, string? Token = null, DateTimeOffset ExpiresAt = default);

/// <summary>Logins and the server-side sessions behind the session cookie.</summary>
public sealed partial class Authenticator(
    IdentityDb db, LoginGuard guard, IOptions<AccountOptions> options, TimeProvider time, ILoggerFactory loggers)
{
    private readonly ILogger log = loggers.CreateLogger("SalesMind.Identity.Sessions");

    /// <summary>
    /// Checks <paramref name="password"/> for the account <paramref name="identifier"/> names
    /// (by address when it has an @, by username otherwise: never both) and opens a session.
    /// </summary>
    public async Task<LoginOutcome> LoginAsync(HttpContext http, string identifier, string password, CancellationToken ct)
    {
        // The same normal form the lookup uses (NFKC, lower case): an unknown name is counted under
        // the key its account would have, so a full-width spelling cannot tell the two apart.
        var normalized = AccountLookup.Parse(identifier).Normalized;
        var user = await db.Users.Include(u => u.Profile).Where(u => u.DeletedAt == null).FindByIdentifierAsync(identifier, ct);

        // The lock, the count and the password check live in the guard; here only their answers.
        var check = await guard.CheckAsync(http, user, normalized, password, ct);
        if (check.Verdict == LoginVerdict.Busy)
        {
            return new(LoginResult.Busy, Wait: check.Wait);
        }

        if (check.Verdict == LoginVerdict.Locked)
        {
            return new(LoginResult.Locked, Wait: check.Wait);
        }

        if (check.Verdict != LoginVerdict.Verified || user is null)
        {
            await Task.Delay(check.Wait, time, ct);
            return new(LoginResult.WrongPassword);
        }

        if (user is { DeactivatedAt: not null } or { EmailVerifiedAt: not null, IsActive: false })
        {
            await db.SaveChangesAsync(ct);
            return new(LoginResult.Deactivated, user);
        }

        if (user.EmailVerifiedAt is null || !user.IsActive)
        {
            await db.SaveChangesAsync(ct);
            // Only after the right password: the owner learns why, nobody else learns anything.
            return new(LoginResult.NotVerified, user);
        }

        var now = time.GetUtcNow();
        var expiresAt = now + options.Value.SessionLifetime;
        var (token, hash) = OpaqueToken.Create();
        db.Sessions.Add(new Session { Id = Guid.CreateVersion7(now), UserId = user.Id, TokenHash = hash, CreatedAt = now, ExpiresAt = expiresAt });
        await db.SaveChangesAsync(ct);
        if (!check.FromKnownDevice)
        {
            // From now on this browser's own failures are counted apart from strangers'.
            await guard.RememberDeviceAsync(http, user.Id, ct);
        }

        LogLoggedIn(log, user.Id);
        return new(LoginResult.SignedIn, user, Token: token, ExpiresAt: expiresAt);
    }

    /// <summary>Ends the session <paramref name="token"/> names, if it is one.</summary>
    public async Task LogoutAsync(string? token, CancellationToken ct)
    {
        if (OpaqueToken.IsWellFormed(token))
        {
            var hash = OpaqueToken.Hash(token!);
            await db.Sessions.Where(s => s.TokenHash == hash).ExecuteDeleteAsync(ct);
        }
    }

    /// <summary>The user of the session <paramref name="token"/> names, if it is valid and not expired.</summary>
    public async Task<User?> CurrentUserAsync(string? token, CancellationToken ct)
    {
        if (!OpaqueToken.IsWellFormed(token))
        {
            return null;
        }

        var hash = OpaqueToken.Hash(token!);
        var now = time.GetUtcNow();
        var userId = await db.Sessions
            .Where(s => s.TokenHash == hash && s.ExpiresAt > now)
            .Select(s => (Guid?)s.UserId)
            .SingleOrDefaultAsync(ct);
        return userId is null ? null : await db.Users.Include(u => u.Profile).SingleOrDefaultAsync(u => u.Id == userId && u.DeletedAt == null, ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} logged in")]
    private static partial void LogLoggedIn(ILogger logger, Guid userId);
}
