namespace SalesMind.Contracts;

/// <summary>
/// The owner deleted the account. Services erase what they hold about the person: the Notifier
/// purges stored email bodies and replaces the address with a keyed hash.
/// </summary>
/// <param name="UserId">The deleted account's id.</param>
/// <param name="Email">The address the account had (what the Notifier erases).</param>
/// <param name="DeletedAt">When it was deleted; the row itself is removed after the grace period.</param>
/// <param name="PastAddresses">
/// Addresses the account had before (changed away from, or moved to and undone), each with the
/// time it stopped being the account's: mail to it asked for up to then is erased too, mail after
/// (someone else's, once the address was free) is not. Null from senders older than this field.
/// </param>
public sealed record AccountDeleted(Guid UserId, string Email, DateTimeOffset DeletedAt, IReadOnlyList<PastAddress>? PastAddresses = null);

/// <summary>An address an account had until <paramref name="Until"/>.</summary>
public sealed record PastAddress(string Email, DateTimeOffset Until);
