namespace SalesMind.Identity.Accounts;

public sealed class User
{
    public Guid Id { get; set; }

    /// <summary>As typed at sign-up.</summary>
    public required string Username { get; set; }

    /// <summary>Lower-cased; unique, so "Alice" and "alice" are one account.</summary>
    public required string NormalizedUsername { get; set; }

    public required string Email { get; set; }

    /// <summary>Lower-cased; unique.</summary>
    public required string NormalizedEmail { get; set; }

    public required string PasswordHash { get; set; }

    /// <summary>False until the address is verified, and after an admin deactivates the account.</summary>
    public bool IsActive { get; set; }

    /// <summary>
    /// Set by an admin; nothing but an admin undoes it. Kept apart from <see cref="IsActive"/>, which
    /// is also false while the address is unverified: a verification link must never read
    /// "deactivated" as "not verified yet" and switch the account on.
    /// </summary>
    public DateTimeOffset? DeactivatedAt { get; set; }

    /// <summary>
    /// A second, different sign-up arrived for this address while it was unverified. From then on no
    /// password submitted with a sign-up becomes active: whoever opens a link proves the mailbox and
    /// chooses the username and password then (see README, "Pending sign-ups").
    /// </summary>
    public DateTimeOffset? ContestedAt { get; set; }

    public DateTimeOffset? EmailVerifiedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Last time the owner was told someone tried to sign up with this address (limits that mail to one an hour).</summary>
    public DateTimeOffset? DuplicateSignupNoticeAt { get; set; }

    /// <summary>When the one "still unverified" reminder went out.</summary>
    public DateTimeOffset? VerificationReminderSentAt { get; set; }

    /// <summary>Roles such as <c>admin</c>.</summary>
    public List<string> Roles { get; set; } = [];

    /// <summary>Wrong passwords since the last successful login.</summary>
    public int FailedLogins { get; set; }

    /// <summary>No login is accepted before this time (set after too many wrong passwords).</summary>
    public DateTimeOffset? LockedUntil { get; set; }

    /// <summary>
    /// The version every admin token of this account carries; raised when the admin is
    /// deactivated, loses the role or changes the password, which kills the older tokens.
    /// </summary>
    public int TokenVersion { get; set; }

    /// <summary>
    /// The owner deleted the account: nobody can log in, every session ended, and after the grace
    /// period (<see cref="AccountOptions.DeletionGracePeriod"/>) the row is removed.
    /// </summary>
    public DateTimeOffset? DeletedAt { get; set; }

    public UserProfile? Profile { get; set; }
}

/// <summary>A signed-in browser. The cookie holds a random token; only its SHA-256 is stored.</summary>
public sealed class Session
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    public required byte[] TokenHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>The browser's User-Agent at login, cut to 512 characters (shown as the device).</summary>
    public string? UserAgent { get; set; }

    /// <summary>The client's address at login (behind nginx, from X-Forwarded-For).</summary>
    public string? ClientAddress { get; set; }

    /// <summary>The last request that used this session (updated at most once a minute).</summary>
    public DateTimeOffset LastSeenAt { get; set; }

    public User? User { get; set; }
}

public sealed class UserProfile
{
    public Guid UserId { get; set; }

    public required string Industry { get; set; }

    public string? SalesExperience { get; set; }

    public string? Purpose { get; set; }

    /// <summary><c>ja</c> or <c>en</c>: the language of this user's emails.</summary>
    public required string Locale { get; set; }
}

public sealed class EmailVerificationToken
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary>SHA-256 of the token; the token itself exists only in the email.</summary>
    public required byte[] TokenHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }

    /// <summary>
    /// The 6-digit code mailed beside the link, hashed with the row's id (null for links made
    /// before codes existed). It dies with the link: same expiry, same use, same revocation.
    /// </summary>
    public byte[]? CodeHash { get; set; }

    /// <summary>Wrong codes tried against this link; at the limit the code is dead and a resend is needed.</summary>
    public int CodeAttempts { get; set; }

    public User? User { get; set; }
}

/// <summary>A single-use password-reset link; only the SHA-256 of its token is stored.</summary>
public sealed class PasswordResetToken
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary>
    /// Issued by a verification link of a contested sign-up: using it also chooses the username
    /// and verifies the address (the link proved the mailbox).
    /// </summary>
    public bool CompletesSignup { get; set; }

    public required byte[] TokenHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}
