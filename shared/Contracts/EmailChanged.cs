namespace SalesMind.Contracts;

/// <summary>
/// An account's address was changed (the new address was confirmed). The OLD address is told,
/// with a link that undoes the change and signs the account out everywhere.
/// </summary>
/// <param name="UserId">The account's id.</param>
/// <param name="Username">The account's username.</param>
/// <param name="Email">The OLD address, where this notice goes.</param>
/// <param name="NewEmail">The address the account uses from now on.</param>
/// <param name="Locale">The account's language (<c>ja</c> or <c>en</c>).</param>
/// <param name="UndoUrl">The single-use link to the page that undoes the change (holds the secret token).</param>
/// <param name="UndoExpiresAt">When the undo link stops working.</param>
/// <param name="ChangedAt">When the change was committed.</param>
public sealed record EmailChanged(
    Guid UserId,
    string Username,
    string Email,
    string NewEmail,
    string Locale,
    string UndoUrl,
    DateTimeOffset UndoExpiresAt,
    DateTimeOffset ChangedAt);
