namespace SalesMind.Identity.Accounts;

/// <summary>
/// A signed-in owner asked to move the account to a new address. Until the new address is
/// confirmed (by its link or code) the old one stays in force; once confirmed, the old address
/// gets a notice with an undo link that restores it and ends every session. Tokens and codes
/// are stored only as hashes.
/// </summary>
public sealed class EmailChange
{
    public Guid Id { get; set; }

    public Guid UserId { get; set; }

    /// <summary>The address in force when the change was asked for (the one undo restores).</summary>
    public required string OldEmail { get; set; }

    public required string NewEmail { get; set; }

    /// <summary>Lower-cased, as <see cref="User.NormalizedEmail"/>.</summary>
    public required string NormalizedNewEmail { get; set; }

    /// <summary>SHA-256 of the confirmation link's token, mailed to the new address.</summary>
    public required byte[] TokenHash { get; set; }

    /// <summary>The 6-digit confirmation code, hashed with the row's id.</summary>
    public required byte[] CodeHash { get; set; }

    public int CodeAttempts { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the confirmation link and code stop working.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>A newer request, an undo, or the account's end made this one void.</summary>
    public DateTimeOffset? RevokedAt { get; set; }

    public DateTimeOffset? ConfirmedAt { get; set; }

    /// <summary>SHA-256 of the undo link's token, mailed to the old address on confirmation.</summary>
    public byte[]? UndoTokenHash { get; set; }

    public DateTimeOffset? UndoExpiresAt { get; set; }

    public DateTimeOffset? UndoneAt { get; set; }
}
