namespace SalesMind.Notifier.Ledger;

public enum DeliveryStatus
{
    /// <summary>Rendered and waiting for its first attempt.</summary>
    Queued,

    /// <summary>Claimed by a dispatcher that is talking to the mail server right now.</summary>
    Sending,

    /// <summary>The mail server accepted it (250) and gave it a queue id.</summary>
    Sent,

    /// <summary>
    /// Delayed: before the hand-off, the last attempt failed temporarily and the next one is at
    /// <see cref="Delivery.NextAttemptAt"/>; after it (a queue id is known), the mail server
    /// reported a delay and keeps trying itself.
    /// </summary>
    Deferred,

    /// <summary>The mail server refused it permanently (5xx); not retried.</summary>
    Failed,

    /// <summary>Temporary failures went on past the last retry.</summary>
    Abandoned,

    /// <summary>The receiving side reported it delivered (a delivery report, or the mail server's log).</summary>
    Delivered,

    /// <summary>Accepted, then reported undeliverable (a delivery status notification, or the mail server's log).</summary>
    Bounced,

    /// <summary>Not sent: the address bounced hard recently and is suppressed.</summary>
    Suppressed,

    /// <summary>The recipient reported it as spam (a feedback-loop report, RFC 5965); the address is suppressed.</summary>
    Complained,
}

/// <summary>The names statuses and attempt outcomes have outside the process: in the database, in events, in the API and in metrics.</summary>
public static class DeliveryStatusNames
{
    /// <summary>Lower case, e.g. <c>queued</c>.</summary>
    public static string Name(this DeliveryStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>Lower case, e.g. <c>interrupted</c>.</summary>
    public static string Name(this AttemptOutcome outcome) => outcome.ToString().ToLowerInvariant();
}
