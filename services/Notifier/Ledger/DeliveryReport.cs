namespace SalesMind.Notifier.Ledger;

/// <summary>What was learned about a delivery after the hand-off: a delivery status notification or a mail log line.</summary>
public sealed class DeliveryReport
{
    public long Id { get; set; }

    public Guid DeliveryId { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary><c>dsn</c> (a delivery status notification) or <c>log</c> (the mail server's log).</summary>
    public required string Source { get; set; }

    /// <summary>As reported: <c>failed</c>, <c>delayed</c>, <c>delivered</c>, <c>relayed</c>, <c>expanded</c>.</summary>
    public required string Action { get; set; }

    /// <summary>The enhanced status code, e.g. <c>5.1.1</c>.</summary>
    public string? Status { get; set; }

    public string? Diagnostic { get; set; }

    public string? RemoteMta { get; set; }

    /// <summary>What kind of failure a failed or delayed report was (null for delivered ones).</summary>
    public FailureClass? FailureClass { get; set; }
}
