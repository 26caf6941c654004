namespace SalesMind.Identity.EmailChanges;

public enum ChangeResult
{
    /// <summary>Done (asked for, confirmed or undone).</summary>
    Done,

    /// <summary>A field problem: <see cref="ChangeOutcome.Field"/> and <see cref="ChangeOutcome.Key"/>.</summary>
    Invalid,

    /// <summary>The password-hashing queue is full; nothing was counted.</summary>
    Busy,

    /// <summary>Too many wrong passwords (the login's lock, shared): <see cref="ChangeOutcome.Wait"/>.</summary>
    Locked,

    /// <summary>Too many change requests from this account in the last hour.</summary>
    TooMany,

    /// <summary>The new address was taken between the request and its confirmation.</summary>
    Taken,

    /// <summary>An earlier change can still be undone from the old address, until <see cref="ChangeOutcome.ExpiresAt"/>: no new request before then.</summary>
    UndoOpen,

    /// <summary>The account behind the session is gone.</summary>
    SignedOut,
}

/// <param name="Email">The account's address after the step (the new one after a confirmation, the restored one after an undo).</param>
/// <param name="ExpiresAt">When the requested change's link stops working; for <see cref="ChangeResult.UndoOpen"/>, when the earlier change's undo link does.</param>
/// <param name="Restored">For an undo: whether the old address could be put back.</param>
/// <param name="PasswordResetSent">For an undo: whether a link to choose a new password was mailed to the restored address.</param>
public sealed record ChangeOutcome(
    ChangeResult Result, string? Field = null, string? Key = null, TimeSpan Wait = default, string? Email = null, DateTimeOffset? ExpiresAt = null,
    bool Restored = false, bool PasswordResetSent = false)
{
    public static ChangeOutcome Problem(string field, string key) => new(ChangeResult.Invalid, field, key);
}
