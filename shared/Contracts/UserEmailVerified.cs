namespace SalesMind.Contracts;

/// <summary>A user proved they own their address; the account is now active.</summary>
/// <param name="UserId">The user's id.</param>
/// <param name="Email">The verified address.</param>
/// <param name="VerifiedAt">When the verification was committed.</param>
public sealed record UserEmailVerified(Guid UserId, string Email, DateTimeOffset VerifiedAt);
