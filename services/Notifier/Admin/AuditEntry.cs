namespace SalesMind.Notifier.Admin;

/// <summary>One admin change: who, when, what, and the state before and after (JSON).</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>The admin's username, from the token's subject.</summary>
    public required string Actor { get; set; }

    /// <summary>e.g. <c>template.version.created</c>, <c>sender.updated</c>.</summary>
    public required string Action { get; set; }

    /// <summary>What was changed, e.g. <c>template:welcome/ja</c> or <c>sender:&lt;id&gt;</c>.</summary>
    public required string Target { get; set; }

    public string? Before { get; set; }

    public string? After { get; set; }
}
