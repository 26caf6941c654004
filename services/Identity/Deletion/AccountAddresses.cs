using Microsoft.EntityFrameworkCore;
using SalesMind.Contracts;
using SalesMind.Identity.Data;

namespace SalesMind.Identity.Deletion;

/// <summary>
/// The addresses an account had before its current one, each until it stopped being the
/// account's: a confirmed change's old address until the change, an undone change's new address
/// until the undo. A pending change's new address is not one: it may be another person's (such
/// a request mails nothing to it). Mail to an address after that moment is someone else's.
/// </summary>
public static class AccountAddresses
{
    public static async Task<List<PastAddress>> PastAsync(IdentityDb db, Guid userId, CancellationToken ct)
    {
        var changes = await db.EmailChanges.AsNoTracking()
            .Where(c => c.UserId == userId && c.ConfirmedAt != null)
            .Select(c => new { c.OldEmail, c.NewEmail, c.ConfirmedAt, c.UndoneAt })
            .ToListAsync(ct);
        return changes
            .SelectMany(c => c.UndoneAt is { } undone
                ? new[] { new PastAddress(c.OldEmail, c.ConfirmedAt!.Value), new PastAddress(c.NewEmail, undone) }
                : [new PastAddress(c.OldEmail, c.ConfirmedAt!.Value)])
            .GroupBy(p => p.Email.ToLowerInvariant())
            .Select(g => g.MaxBy(p => p.Until)!)
            .ToList();
    }
}
