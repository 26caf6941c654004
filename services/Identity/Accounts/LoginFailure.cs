namespace SalesMind.Identity.Accounts;

/// <summary>
/// Failed-login counter of one key: an account (<c>user:&lt;id&gt;</c>), a name or address that
/// matches no account (<c>name:&lt;normalized&gt;</c>), or a known browser
/// (<c>device:&lt;id&gt;</c>). One table and one statement for all three, so a locked account
/// and a throttled unknown name cannot be told apart. A row is an attempt reserved before its
/// password is checked; rows are forgotten after <see cref="AccountOptions.LockoutDuration"/>.
/// </summary>
public sealed class LoginFailure
{
    public required string Key { get; set; }

    /// <summary>Attempts reserved since the last success (or since the row was forgotten).</summary>
    public int Failures { get; set; }

    public DateTimeOffset LastAttemptAt { get; set; }

    /// <summary>Set when the last allowed attempt is reserved; no attempt is evaluated before it.</summary>
    public DateTimeOffset? LockedUntil { get; set; }
}

/// <summary>
/// A browser the owner has logged in from (or reset the password from): its HttpOnly cookie
/// holds a random token, only the SHA-256 is stored. Attempts carrying it are counted against
/// the device's own limit, not the account's lock (OWASP's "device cookies").
/// </summary>
public sealed class KnownDevice
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required byte[] TokenHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}
