namespace SalesMind.Contracts;

/// <summary>
/// An account is still unverified a day after sign-up: its owner gets one reminder with a fresh
/// link (the earlier links stop working).
/// </summary>
/// <param name="UserId">The account's id.</param>
/// <param name="Username">The account's username.</param>
/// <param name="Email">The address to verify.</param>
/// <param name="Locale">The language the account signed up in.</param>
/// <param name="VerificationUrl">The fresh single-use link.</param>
/// <param name="ExpiresAt">When that link stops working.</param>
/// <param name="DeletionAt">When the account is deleted if it stays unverified.</param>
/// <param name="VerificationCode">
/// The 6-digit code of the fresh link (a secret: it dies with the link). Null in messages
/// written before codes existed.
/// </param>
public sealed record VerificationReminderDue(
    Guid UserId,
    string Username,
    string Email,
    string Locale,
    string VerificationUrl,
    DateTimeOffset ExpiresAt,
    DateTimeOffset DeletionAt,
    string? VerificationCode = null);
