using System.ComponentModel.DataAnnotations;

namespace SalesMind.Identity.Accounts;

/// <summary>Settings of the account flows (section <c>Identity</c>).</summary>
public sealed class AccountOptions
{
    public const string Section = "Identity";

    /// <summary>The address people reach the site at; emailed links start with it.</summary>
    [Required, Url]
    public string PublicBaseUrl { get; set; } = "";

    /// <summary>How long a verification link works.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "30.00:00:00")]
    public TimeSpan VerificationTokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>At most one "someone used your address" notice per account in this period.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan DuplicateSignupNoticeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a login lasts.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "90.00:00:00")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Wrong passwords in a row before the account is locked for <see cref="LockoutDuration"/>.</summary>
    [Range(1, 100)]
    public int MaxFailedLogins { get; set; } = 5;

    /// <summary>
    /// How long a lock lasts; also how long failures are remembered (a name or account with no
    /// failure for this long starts again from zero).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long a browser's device cookie (given at a successful login or password reset) keeps
    /// its own failure count, so that strangers' wrong passwords never lock it out.
    /// </summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "400.00:00:00")]
    public TimeSpan DeviceCookieLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// Password hashes queued or running at once; beyond it sign-up, login and reset answer 503
    /// with Retry-After. 0 (the default): 32 per core, about 2–3 s of queue at 210,000 iterations.
    /// </summary>
    [Range(0, 100_000)]
    public int MaxQueuedPasswordHashes { get; set; }

    public int EffectiveMaxQueuedPasswordHashes => MaxQueuedPasswordHashes > 0 ? MaxQueuedPasswordHashes : 32 * Environment.ProcessorCount;

    /// <summary>
    /// The longest a request may expect to wait for its password hash: the queue ahead of it
    /// times the hash time measured on this machine right now (a loaded or throttled machine
    /// hashes slower, so it admits fewer). Beyond it the answer is 503 with Retry-After at once,
    /// well before a client or proxy gives up (nginx waits 30 s), instead of a timeout.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:00:25")]
    public TimeSpan MaxPasswordHashWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Verification emails an address may ask for: one per cooldown, at most this many an hour.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ResendCooldown { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Verification or password-reset emails one address may ask for in an hour.</summary>
    [Range(1, 100)]
    public int MaxResendsPerHour { get; set; } = 5;

    /// <summary>
    /// Reset and resend requests are answered no sooner than this after they arrive, whether or
    /// not the address has an account, so the time taken says nothing about accounts.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:05")]
    public TimeSpan UniformAnswerTime { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>How long a password-reset link works.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "1.00:00:00")]
    public TimeSpan PasswordResetLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>An account still unverified this long after sign-up gets one reminder.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan ReminderAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>An account still unverified this long after sign-up is deleted.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan DeleteUnverifiedAfter { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the reminder and clean-up job looks.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan LifecycleInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Wrong tries one emailed 6-digit code allows (verification or address change); then the
    /// code is dead and a new email is needed.
    /// </summary>
    [Range(1, 20)]
    public int MaxCodeAttempts { get; set; } = 5;

    /// <summary>How long the link and code sent to a new address (an address change) work.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "7.00:00:00")]
    public TimeSpan EmailChangeLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long the old address's undo link (after an address change) works.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "30.00:00:00")]
    public TimeSpan EmailChangeUndoLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How long a deleted account's row is kept (unusable: no login, no sessions) before the
    /// clean-up job removes it: a grace period for support and for abuse investigations.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "90.00:00:00")]
    public TimeSpan DeletionGracePeriod { get; set; } = TimeSpan.FromDays(14);

    /// <summary>
    /// Not configuration (nothing binds it): the HMAC key of the emailed 6-digit codes, derived at
    /// start from <c>Auth:PrivateKey</c> (see <see cref="OneTimeCodeKey"/>). Null only in an
    /// instance made by hand, where no code is made or checked.
    /// </summary>
    public OneTimeCodeKey? CodeKey { get; internal set; }

    public string Url(string pathAndQuery) => PublicBaseUrl.TrimEnd('/') + pathAndQuery;
}
