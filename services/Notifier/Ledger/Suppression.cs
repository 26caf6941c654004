namespace SalesMind.Notifier.Ledger;

/// <summary>An address that bounced hard: nothing is sent to it until <see cref="ExpiresAt"/> or an admin lifts it.</summary>
public sealed class Suppression
{
    /// <summary>Lower case.</summary>
    public required string Address { get; set; }

    public required string Reason { get; set; }

    /// <summary>The delivery whose bounce caused it.</summary>
    public Guid? DeliveryId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? LiftedAt { get; set; }

    public string? LiftedBy { get; set; }
}
