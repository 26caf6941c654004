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

/// <summary>A live session and its account (the session's own <see cref="Session.User"/> is the same account).</summary>
public sealed record SignedIn(Session Session, User User);

/// <param name="Wait">For <see cref="LoginResult.Locked"/>: the time until the lock ends.</param>
/// <param name="Token">For <see cref="LoginResult.SignedIn"/>: the session cookie's value, until <paramref name="ExpiresAt"/>.</param>
public sealed record LoginOutcome(LoginResult Result, User? User = null, TimeSpan Wait = default, string? Token = null, DateTimeOffset ExpiresAt = default);

/// <summary>Logins and the server-side sessions behind the session cookie.</summary>
public sealed partial class Authenticator(
    IdentityDb db, LoginGuard guard, IOptions<AccountOptions> options, TimeProvider time, ILoggerFactory loggers)
{
    /// <summary>A session's "last seen" moves at most this often (one small write a minute per active browser).</summary>
    public static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

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
        db.Sessions.Add(new Session
        {
            Id = Guid.CreateVersion7(now), UserId = user.Id, TokenHash = hash, CreatedAt = now, ExpiresAt = expiresAt, LastSeenAt = now,
            // For the owner's list of sessions ("Chrome on Windows, 203.0.113.7"); never used to decide anything.
            UserAgent = DeviceNames.UserAgentOf(http.Request), ClientAddress = DeviceNames.ClientAddressOf(http),
        });
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
        var session = await db.Sessions
            .Where(s => s.TokenHash == hash && s.ExpiresAt > now)
            .Select(s => new { s.Id, s.UserId, s.LastSeenAt })
            .SingleOrDefaultAsync(ct);
        await TouchAsync(session?.Id, session?.LastSeenAt, now, ct);
        var userId = session?.UserId;
        return userId is null ? null : await db.Users.Include(u => u.Profile).SingleOrDefaultAsync(u => u.Id == userId && u.DeletedAt == null, ct);
    }

    /// <summary>
    /// The session <paramref name="token"/> names with its account, for the account's own pages
    /// (which need to know which session is "this one"); null unless it is live and the account
    /// not deleted.
    /// </summary>
    public async Task<SignedIn?> CurrentSessionAsync(string? token, CancellationToken ct)
    {
        if (!OpaqueToken.IsWellFormed(token))
        {
            return null;
        }

        var hash = OpaqueToken.Hash(token!);
        var now = time.GetUtcNow();
        var session = await db.Sessions.AsNoTracking()
            .Include(s => s.User).ThenInclude(u => u!.Profile)
            .Where(s => s.TokenHash == hash && s.ExpiresAt > now && s.User!.DeletedAt == null)
            .SingleOrDefaultAsync(ct);
        if (session?.User is not { } user)
        {
            return null;
        }

        await TouchAsync(session.Id, session.LastSeenAt, now, ct);
        return new SignedIn(session, user);
    }

    /// <summary>
    /// Moves the session's "last seen" to now, at most once a <see cref="TouchInterval"/>: most
    /// requests write nothing, and of concurrent ones only the first matches the condition.
    /// </summary>
    private async Task TouchAsync(Guid? sessionId, DateTimeOffset? lastSeenAt, DateTimeOffset now, CancellationToken ct)
    {
        if (sessionId is null || now - lastSeenAt < TouchInterval)
        {
            return;
        }

        var due = now - TouchInterval;
        await db.Sessions.Where(s => s.Id == sessionId && s.LastSeenAt <= due)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.LastSeenAt, now), ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} logged in")]
    private static partial void LogLoggedIn(ILogger logger, Guid userId);
}
