namespace SalesMind.Contracts;

/// <summary>A person signed up; their address is not verified yet.</summary>
/// <param name="UserId">The new user's id.</param>
/// <param name="Username">The chosen username, as typed.</param>
/// <param name="Email">The address to verify.</param>
/// <param name="Locale">The language the person used to sign up (<c>ja</c> or <c>en</c>).</param>
/// <param name="VerificationUrl">The single-use link that verifies the address (holds the secret token).</param>
/// <param name="ExpiresAt">When the link stops working.</param>
/// <param name="RegisteredAt">When the registration was committed.</param>
/// <param name="VerificationCode">
/// The 6-digit code that verifies the address like the link does (a secret: it dies with the
/// link). Null in messages written before codes existed.
/// </param>
public sealed record UserRegistered(
    Guid UserId,
    string Username,
    string Email,
    string Locale,
    string VerificationUrl,
    DateTimeOffset ExpiresAt,
    DateTimeOffset RegisteredAt,
    string? VerificationCode = null);
