namespace SalesMind.Contracts;

/// <summary>
/// Someone signed in to another account asked to move it to an address that already belongs to
/// this account. The requester got the same answer as for a free address and nothing was sent to
/// it; the address's owner is told instead (at most once per notice interval).
/// </summary>
/// <param name="UserId">The id of the account that holds the address.</param>
/// <param name="Username">That account's username (only ever mailed to its owner).</param>
/// <param name="Email">The address that was asked for, where this notice goes.</param>
/// <param name="Locale">The owner's language (<c>ja</c> or <c>en</c>).</param>
/// <param name="LoginUrl">Where the owner can log in.</param>
/// <param name="AttemptedAt">When the attempt was made.</param>
public sealed record EmailChangeAttempted(
    Guid UserId,
    string Username,
    string Email,
    string Locale,
    string LoginUrl,
    DateTimeOffset AttemptedAt);
