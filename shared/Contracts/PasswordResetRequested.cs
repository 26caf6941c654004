namespace SalesMind.Contracts;

/// <summary>The owner of a verified account asked to reset its password.</summary>
/// <param name="UserId">The account's id.</param>
/// <param name="Username">The account's username.</param>
/// <param name="Email">The account's address, where the link goes.</param>
/// <param name="Locale">The language of the request (<c>ja</c> or <c>en</c>).</param>
/// <param name="ResetUrl">The single-use link to the page where a new password is set (holds the secret token).</param>
/// <param name="ExpiresAt">When the link stops working.</param>
/// <param name="RequestedAt">When the request was committed.</param>
public sealed record PasswordResetRequested(
    Guid UserId,
    string Username,
    string Email,
    string Locale,
    string ResetUrl,
    DateTimeOffset ExpiresAt,
    DateTimeOffset RequestedAt);
