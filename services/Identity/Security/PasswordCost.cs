namespace SalesMind.Identity.Security;

/// <summary>
/// The PBKDF2 cost in force. Also compiled into the benchmark (bench/), so its hashing bound is
/// always measured at the cost the service really pays.
/// </summary>
public static class PasswordCost
{
    /// <summary>
    /// PBKDF2-HMAC-SHA512 iterations: OWASP's current advice for this PRF. Hashes made with
    /// fewer (the earlier 100,000) are upgraded at the owner's next successful login.
    /// </summary>
    public const int Iterations = 210_000;
}
