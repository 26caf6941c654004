namespace SalesMind.Contracts;

/// <summary>A user proved they own their address; the account is now active.</summary>
/// <param name="UserId">The user's id.</param>
/// <param name="Email">The verified address.</param>
/// <param name="VerifiedAt">When the verification was committed.</param>
/// <param name="Username">The user's name (absent in events from before it was added).</param>
/// <param name="Locale"><c>ja</c> or <c>en</c>: the language of the user's emails.</param>
/// <param name="LoginUrl">Where the user logs in.</param>
public sealed record UserEmailVerified(
    Guid UserId, string Email, DateTimeOffset VerifiedAt, string? Username = null, string? Locale = null, string? LoginUrl = null);
