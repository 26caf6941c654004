using Microsoft.EntityFrameworkCore;
using SalesMind.Identity.Data;

namespace SalesMind.Identity.EmailChanges;

/// <summary>
/// An address an account moved away from stays held for that account while the change's undo
/// link works (<c>Identity:EmailChangeUndoLifetime</c>): nobody else may sign up with it or move
/// to it, so the undo can always put it back. Without the hold, whoever changed the address with
/// a stolen password could sign up with the old one and make the owner's undo fail.
/// </summary>
public static class AddressReservation
{
    /// <summary>
    /// Whether <paramref name="normalizedEmail"/> is held for an account other than
    /// <paramref name="exceptUserId"/> (an account may move back to its own old address).
    /// </summary>
    public static Task<bool> IsHeldAsync(IdentityDb db, string normalizedEmail, Guid? exceptUserId, DateTimeOffset now, CancellationToken ct) =>
        // Addresses are ASCII (FieldRules.IsEmail), so lower() is the same normal form as NormalizeEmail.
        db.EmailChanges.AnyAsync(c => c.ConfirmedAt != null && c.UndoneAt == null && c.UndoExpiresAt > now
            && c.UserId != (exceptUserId ?? Guid.Empty) && c.OldEmail.ToLower() == normalizedEmail, ct);
}
