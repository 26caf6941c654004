namespace SalesMind.Contracts;

/// <summary>
/// The owner deleted the account. Services erase what they hold about the person: the Notifier
/// purges stored email bodies and replaces the address with a keyed hash.
/// </summary>
/// <param name="UserId">The deleted account's id.</param>
/// <param name="Email">The address the account had (what the Notifier erases).</param>
/// <param name="DeletedAt">When it was deleted; the row itself is removed after the grace period.</param>
public sealed record AccountDeleted(Guid UserId, string Email, DateTimeOffset DeletedAt);
