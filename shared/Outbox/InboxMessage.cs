namespace SalesMind.Outbox;

/// <summary>A message a consumer has already handled. Its key makes redeliveries no-ops.</summary>
public sealed class InboxMessage
{
    public Guid MessageId { get; set; }

    public required string Consumer { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }
}
