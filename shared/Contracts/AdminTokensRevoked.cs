namespace SalesMind.Contracts;

/// <summary>
/// An account's admin bearer tokens issued before now stopped being valid: the admin was
/// deactivated, lost the role, changed the password, undid an address change or deleted the account. Services that accept admin tokens
/// refuse the account's tokens whose version is below <paramref name="TokenVersion"/>.
/// </summary>
/// <param name="UserId">The account (the tokens' <c>sub</c>).</param>
/// <param name="TokenVersion">The account's new token version: the lowest a token may carry from now on.</param>
/// <param name="Reason"><c>deactivated</c>, <c>role_removed</c>, <c>password_changed</c>, <c>email_change_undone</c> or <c>account_deleted</c>.</param>
/// <param name="RevokedAt">When it happened.</param>
public sealed record AdminTokensRevoked(Guid UserId, int TokenVersion, string Reason, DateTimeOffset RevokedAt);
