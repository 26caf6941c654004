namespace SalesMind.Identity.Accounts;

/// <summary>
/// One change to an account, by an admin or by its owner: who, when, what, and the fields
/// before and after (JSON objects of the changed fields only; never a password or a token).
/// Kept when the account is deleted: the target id stays, the address is not in it.
/// </summary>
public sealed class AccountAuditEntry
{
    public Guid Id { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>The account that made the change (an admin, or the owner), null for the system.</summary>
    public Guid? ActorId { get; set; }

    /// <summary>The actor's username at the time, or <c>system</c>.</summary>
    public required string ActorName { get; set; }

    public Guid TargetUserId { get; set; }

    /// <summary>What was done, e.g. <c>profile.updated</c>, <c>deactivated</c>, <c>role.granted</c>.</summary>
    public required string Action { get; set; }

    /// <summary>The changed fields before, as a JSON object (null when nothing existed before).</summary>
    public string? Before { get; set; }

    /// <summary>The changed fields after, as a JSON object (null when nothing is left).</summary>
    public string? After { get; set; }
}
