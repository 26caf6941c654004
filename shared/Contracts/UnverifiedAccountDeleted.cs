namespace SalesMind.Contracts;

/// <summary>An account that was never verified was deleted, with its profile and links.</summary>
/// <param name="UserId">The deleted account's id.</param>
/// <param name="Email">Its address.</param>
/// <param name="DeletedAt">When it was deleted.</param>
public sealed record UnverifiedAccountDeleted(Guid UserId, string Email, DateTimeOffset DeletedAt);
