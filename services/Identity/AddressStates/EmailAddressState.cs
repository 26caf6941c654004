namespace SalesMind.Identity.AddressStates;

/// <summary>What the Notifier last reported about mail to an address (the newest report wins).</summary>
public sealed class EmailAddressState
{
    public required string NormalizedEmail { get; set; }

    /// <summary>queued, sent, deferred, failed or abandoned.</summary>
    public required string Status { get; set; }

    public required string Template { get; set; }

    public string? Diagnostic { get; set; }

    public Guid DeliveryId { get; set; }

    /// <summary>When the reported change happened (not when it arrived).</summary>
    public DateTimeOffset OccurredAt { get; set; }
}
