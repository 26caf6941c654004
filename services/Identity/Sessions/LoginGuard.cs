using System.Data.Common;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Data;
using SalesMind.Identity.Security;

namespace SalesMind.Identity.Sessions;

/// <summary>What the guard decided about one login attempt.</summary>
public enum LoginVerdict
{
    /// <summary>The right password for an existing account.</summary>
    Verified,

    /// <summary>Wrong password or no such account (indistinguishable); <see cref="LoginCheck.Wait"/> is the slow-down owed.</summary>
    WrongPassword,

    /// <summary>No attempt left for this account, name or device; <see cref="LoginCheck.Wait"/> is the time until the lock ends.</summary>
    Locked,

    /// <summary>The password-hashing queue is full; nothing was counted.</summary>
    Busy,
}

public readonly record struct LoginCheck(LoginVerdict Verdict, TimeSpan Wait, bool FromKnownDevice);

/// <summary>
/// The rules of a password check at login. Every attempt is reserved in PostgreSQL before its
/// password is hashed (one atomic upsert on <c>login_failures</c>), so however many arrive at
/// once, at most <see cref="AccountOptions.MaxFailedLogins"/> are ever evaluated for a key
/// before it locks. The key is the account, or, for a name matching no account, the name
/// itself: the same statement, the same answers, the same hashing cost, so a lock tells nobody
/// whether an account exists. A browser with a valid device cookie for the account is counted
/// under its own key, so strangers locking the account never lock its owner out.
/// </summary>
public sealed partial class LoginGuard(
    IdentityDb db, PasswordHashing hashing, LoginThrottle throttle, IOptions<AccountOptions> options, IWebHostEnvironment environment,
    TimeProvider time, ILogger<LoginGuard> log)
{
    public const string DeviceCookie = "sm_device";

    /// <summary>Known browsers kept per account; the oldest go first.</summary>
    private const int MaxDevicesPerUser = 20;

    public async Task<LoginCheck> CheckAsync(HttpContext http, User? user, string normalizedIdentifier, string password, CancellationToken ct)
    {
        // A place in the hashing queue first: an attempt refused for load must not use up one of
        // the account's allowed attempts.
        using var ticket = hashing.TryAdmit();
        if (ticket is null)
        {
            return new(LoginVerdict.Busy, hashing.Busy().RetryAfter, false);
        }

        var now = time.GetUtcNow();
        // Looked up whenever a cookie is sent, account or not, so the work done is the same.
        var device = await KnownDeviceAsync(http, user?.Id ?? Guid.Empty, now, ct);
        var key = device is { } d ? $"device:{d:N}" : user is null ? $"name:{normalizedIdentifier}" : $"user:{user.Id:N}";
        var reservation = await ReserveAsync(key, device is null ? user?.Id : null, now, ct);
        if (reservation.Refused)
        {
            var left = reservation.LockedUntil - now ?? TimeSpan.Zero;
            return new(LoginVerdict.Locked, left > TimeSpan.Zero ? left : TimeSpan.Zero, device is not null);
        }

        var result = await hashing.VerifyAsync(ticket, user?.PasswordHash, password);
        if (user is null || result == PasswordVerificationResult.Failed)
        {
            if (reservation.LockedUntil is not null && user is not null)
            {
                LogLocked(log, user.Id, device is not null);
            }

            return new(LoginVerdict.WrongPassword, throttle.RecordFailure(normalizedIdentifier), device is not null);
        }

        throttle.RecordSuccess(normalizedIdentifier);
        // A success clears the counter it was reserved on. A known device's success leaves the
        // account's own lock in place: that lock is about strangers, who still have no attempts.
        await db.Database.ExecuteSqlAsync($"DELETE FROM login_failures WHERE key = {key}", ct);
        if (device is null)
        {
            await db.Database.ExecuteSqlAsync($"UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = {user.Id}", ct);
        }

        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            await UpgradeHashAsync(user, password);
        }

        return new(LoginVerdict.Verified, TimeSpan.Zero, device is not null);
    }

    /// <summary>
    /// After a password reset: the account's lock is lifted (the owner proved control of the
    /// address) and this browser becomes the only known device.
    /// </summary>
    public async Task AfterPasswordResetAsync(HttpContext http, Guid userId, CancellationToken ct)
    {
        await db.Database.ExecuteSqlAsync($"DELETE FROM login_failures WHERE key = {"user:" + userId.ToString("N")}", ct);
        await TrustOnlyThisDeviceAsync(http, userId, ct);
    }

    /// <summary>
    /// After a new password: every browser the account knew is forgotten (a device cookie would
    /// give whoever held the old password guesses of their own, apart from the account's lock),
    /// and this one is remembered instead.
    /// </summary>
    public async Task TrustOnlyThisDeviceAsync(HttpContext http, Guid userId, CancellationToken ct)
    {
        await db.KnownDevices.Where(d => d.UserId == userId).ExecuteDeleteAsync(ct);
        await RememberDeviceAsync(http, userId, ct);
    }

    /// <summary>Gives the browser a device cookie for <paramref name="userId"/> (after a successful login without one).</summary>
    public async Task RememberDeviceAsync(HttpContext http, Guid userId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var expiresAt = now + options.Value.DeviceCookieLifetime;
        var (token, hash) = OpaqueToken.Create();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO known_devices (id, user_id, token_hash, created_at, expires_at)
            VALUES ({Guid.CreateVersion7(now)}, {userId}, {hash}, {now}, {expiresAt})
            """, ct);
        await db.Database.ExecuteSqlAsync($"""
            DELETE FROM known_devices
             WHERE user_id = {userId}
               AND id NOT IN (SELECT id FROM known_devices WHERE user_id = {userId} ORDER BY created_at DESC LIMIT {MaxDevicesPerUser})
            """, ct);
        http.Response.Cookies.Append(DeviceCookie, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = !environment.IsDevelopment(),
            // Only the login and reset endpoints need it.
            Path = "/api/auth/",
            Expires = expiresAt,
        });
    }

    private async Task<Guid?> KnownDeviceAsync(HttpContext http, Guid userId, DateTimeOffset now, CancellationToken ct)
    {
        if (!http.Request.Cookies.TryGetValue(DeviceCookie, out var token) || !OpaqueToken.IsWellFormed(token))
        {
            return null;
        }

        var hash = OpaqueToken.Hash(token);
        // Only a live cookie of this very account: another account's, an expired or a made-up
        // one earns nothing.
        return await db.KnownDevices
            .Where(d => d.TokenHash == hash && d.UserId == userId && d.ExpiresAt > now)
            .Select(d => (Guid?)d.Id)
            .SingleOrDefaultAsync(ct);
    }

    private readonly record struct Reservation(bool Refused, DateTimeOffset? LockedUntil);

    /// <summary>
    /// Takes one attempt on <paramref name="key"/> unless it is locked, in one statement (the row
    /// lock of the upsert serialises concurrent attempts). The attempt that reaches the limit
    /// sets the lock; a lock that has run out, or failures older than the lockout duration, start
    /// the count again. For an account the lock is copied to <c>users.locked_until</c> for admins.
    /// </summary>
    private async Task<Reservation> ReserveAsync(string key, Guid? mirrorUserId, DateTimeOffset now, CancellationToken ct)
    {
        var settings = options.Value;
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(ct);
        }

        await using var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = """
            WITH reserved AS (
                INSERT INTO login_failures AS f (key, failures, last_attempt_at, locked_until)
                VALUES ($1, 1, $2, CASE WHEN 1 >= $3 THEN $4 END)
                ON CONFLICT (key) DO UPDATE
                   SET failures = CASE WHEN f.locked_until IS NOT NULL OR f.last_attempt_at <= $5 THEN 1 ELSE f.failures + 1 END,
                       last_attempt_at = $2,
                       locked_until = CASE WHEN (CASE WHEN f.locked_until IS NOT NULL OR f.last_attempt_at <= $5 THEN 1 ELSE f.failures + 1 END) >= $3
                                           THEN $4 END
                 WHERE f.locked_until IS NULL OR f.locked_until <= $2
                RETURNING f.locked_until
            ), mirror AS (
                UPDATE users SET locked_until = r.locked_until FROM reserved r WHERE users.id = $6 AND r.locked_until IS NOT NULL
            )
            SELECT true, locked_until FROM reserved
            """;
        Add(command, key);
        Add(command, now);
        Add(command, settings.MaxFailedLogins);
        Add(command, now + settings.LockoutDuration);
        Add(command, now - settings.LockoutDuration);
        Add(command, mirrorUserId ?? Guid.Empty);
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct))
            {
                return new(false, reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1));
            }
        }

        // Refused: the row is locked. Its end is the Retry-After.
        var lockedUntil = await db.LoginFailures.Where(f => f.Key == key).Select(f => f.LockedUntil).SingleOrDefaultAsync(ct);
        return new(true, lockedUntil ?? now);
    }

    private static void Add(DbCommand command, object value)
    {
        var parameter = command.CreateParameter();
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>A hash made at an older, cheaper cost is replaced now that the password is known to be right.</summary>
    private async Task UpgradeHashAsync(User user, string password)
    {
        try
        {
            // Saved by the caller's SaveChanges, with the rest of the login.
            user.PasswordHash = await hashing.HashAsync(password);
            LogRehashed(log, user.Id);
        }
        catch (PasswordHashingBusyException)
        {
            // Under load the upgrade waits for the next login; the old hash still works.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "User {UserId} locked after too many wrong passwords (known device: {KnownDevice})")]
    private static partial void LogLocked(ILogger logger, Guid userId, bool knownDevice);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId}'s password hash was upgraded to the current cost")]
    private static partial void LogRehashed(ILogger logger, Guid userId);
}
