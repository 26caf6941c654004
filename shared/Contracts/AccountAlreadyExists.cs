namespace SalesMind.Contracts;

/// <summary>
/// Someone tried to sign up with an address that already belongs to an account. The sign-up
/// answered exactly like a new one (no enumeration); the address's owner is told instead.
/// </summary>
/// <param name="UserId">The existing account's id.</param>
/// <param name="Username">The existing account's username (only ever mailed to its owner).</param>
/// <param name="Email">The address that was used.</param>
/// <param name="Locale">The language of the attempt (<c>ja</c> or <c>en</c>).</param>
/// <param name="LoginUrl">Where the owner can log in.</param>
/// <param name="AttemptedAt">When the attempt was made.</param>
public sealed record AccountAlreadyExists(
    Guid UserId,
    string Username,
    string Email,
    string Locale,
    string LoginUrl,
    DateTimeOffset AttemptedAt);
