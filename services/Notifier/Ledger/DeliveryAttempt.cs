namespace SalesMind.Notifier.Ledger;

/// <summary>One try at handing a delivery to the mail server.</summary>
public sealed class DeliveryAttempt
{
    public long Id { get; set; }

    public Guid DeliveryId { get; set; }

    public int Number { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public int DurationMs { get; set; }

    public AttemptOutcome Outcome { get; set; }

    public int? SmtpCode { get; set; }

    /// <summary>The server's reply or the error, trimmed.</summary>
    public string? Reply { get; set; }

    /// <summary>What kind of failure a deferred or failed attempt was (null for sent and interrupted).</summary>
    public FailureClass? FailureClass { get; set; }
}

/// <summary>How one attempt ended (stored, and counted in metrics, in lower case).</summary>
public enum AttemptOutcome
{
    /// <summary>The mail server accepted the message (250).</summary>
    Sent,

    /// <summary>A temporary failure: tried again later, or abandoned after the last retry.</summary>
    Deferred,

    /// <summary>Refused for good (5xx), or the message could not be composed.</summary>
    Failed,

    /// <summary>The Notifier stopped during the attempt and the mail server never accepted it.</summary>
    Interrupted,
}

/// <summary>Builds attempt rows.</summary>
public static class DeliveryAttempts
{
    /// <summary>
    /// The attempt numbered after the delivery's current count, its reply trimmed to what the
    /// column holds. A refusal or temporary failure is classified from the whole reply (one
    /// without any, such as a refused connection, is <c>unknown</c>); sent and interrupted ones have no class.
    /// </summary>
    public static DeliveryAttempt For(Delivery delivery, DateTimeOffset started, long durationMs, AttemptOutcome outcome, int? code, string? reply) => new()
    {
        DeliveryId = delivery.Id,
        Number = delivery.Attempts,
        StartedAt = started,
        DurationMs = (int)durationMs,
        Outcome = outcome,
        SmtpCode = code,
        Reply = reply is { Length: > 1000 } ? reply[..1000] : reply,
        FailureClass = outcome is AttemptOutcome.Failed or AttemptOutcome.Deferred ? FailureClassifier.Classify(code, null, reply) : null,
    };
}
