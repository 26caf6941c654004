namespace SalesMind.Outbox;

/// <summary>
/// An event waiting to be published. Written in the same transaction as the state change it
/// describes, so the event exists if and only if the change was committed.
/// </summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }

    /// <summary>The MessageId the broker message will carry; consumers de-duplicate on it.</summary>
    public Guid MessageId { get; set; }

    /// <summary>The contract's full .NET type name, e.g. <c>SalesMind.Contracts.UserRegistered</c>.</summary>
    public required string MessageType { get; set; }

    /// <summary>The message serialized as JSON.</summary>
    public required string Body { get; set; }

    /// <summary>W3C trace parent of the writer, so the publish joins the same trace.</summary>
    public string? TraceParent { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Not published before this time (set into the future to back off after a failure).</summary>
    public DateTimeOffset AvailableAt { get; set; }

    /// <summary>A relay holds the row until this time; after it another relay may take it over.</summary>
    public DateTimeOffset? LockedUntil { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }

    /// <summary>Set when the row failed too often; dead-lettered rows are kept for inspection and never retried.</summary>
    public DateTimeOffset? DeadLetteredAt { get; set; }
}
