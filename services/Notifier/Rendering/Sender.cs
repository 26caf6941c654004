namespace SalesMind.Notifier.Rendering;

/// <summary>An address emails are sent from. Exactly one is the default (enforced by the database).</summary>
public sealed class Sender
{
    public Guid Id { get; set; }

    public required string Address { get; set; }

    public required string DisplayName { get; set; }

    public string? ReplyTo { get; set; }

    public bool IsDefault { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
