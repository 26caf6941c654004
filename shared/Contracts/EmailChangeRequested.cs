namespace SalesMind.Contracts;

/// <summary>
/// A signed-in owner asked to move the account to a new address: the new address gets the
/// confirmation link and code. Until one of them is used, the old address stays in force.
/// </summary>
/// <param name="UserId">The account's id.</param>
/// <param name="Username">The account's username.</param>
/// <param name="Email">The NEW address, where the link and code go.</param>
/// <param name="Locale">The language of the request (<c>ja</c> or <c>en</c>).</param>
/// <param name="ConfirmUrl">The single-use link to the page that confirms the change (holds the secret token).</param>
/// <param name="Code">The 6-digit code the owner may type instead (a secret, like the link).</param>
/// <param name="ExpiresAt">When the link and code stop working.</param>
/// <param name="RequestedAt">When the request was committed.</param>
public sealed record EmailChangeRequested(
    Guid UserId,
    string Username,
    string Email,
    string Locale,
    string ConfirmUrl,
    string Code,
    DateTimeOffset ExpiresAt,
    DateTimeOffset RequestedAt);
