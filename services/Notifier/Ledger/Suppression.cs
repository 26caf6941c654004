namespace SalesMind.Notifier.Ledger;

/// <summary>An address that bounced hard (or whose owner complained): nothing is sent to it until <see cref="ExpiresAt"/> or an admin lifts it.</summary>
public sealed class Suppression
{
    /// <summary>The <see cref="Reason"/> of a suppression after a complaint (a feedback-loop report).</summary>
    public const string ComplaintReason = "complaint: the recipient reported an email as spam";

    /// <summary>Lower case.</summary>
    public required string Address { get; set; }

    public required string Reason { get; set; }

    /// <summary>The delivery whose bounce (or complaint) caused it.</summary>
    public Guid? DeliveryId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? LiftedAt { get; set; }

    public string? LiftedBy { get; set; }
}
