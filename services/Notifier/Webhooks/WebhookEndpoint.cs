namespace SalesMind.Notifier.Webhooks;

/// <summary>An HTTPS endpoint an admin registered to be told about delivery outcomes.</summary>
public sealed class WebhookEndpoint
{
    public Guid Id { get; set; }

    /// <summary>Absolute https URL (http only where configuration allows it).</summary>
    public required string Url { get; set; }

    public string? Description { get; set; }

    /// <summary>The signing secret, AES-GCM sealed under a key outside the database; shown once, when created or rotated.</summary>
    public required byte[] SealedSecret { get; set; }

    /// <summary>The outcome events it wants: delivered, bounced, complained, deferred, failed, suppressed.</summary>
    public string[] Events { get; set; } = [];

    public bool Enabled { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }

    public required string CreatedBy { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One event owed to one endpoint, and how sending it went (the endpoint's delivery log).</summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; set; }

    public Guid EndpointId { get; set; }

    /// <summary>The event's own id (receivers de-duplicate on it); with the endpoint it is unique.</summary>
    public Guid EventId { get; set; }

    /// <summary>e.g. <c>delivery.bounced</c>, or <c>test</c>.</summary>
    public required string EventType { get; set; }

    /// <summary>The JSON body, exactly as signed and sent.</summary>
    public required string Payload { get; set; }

    /// <summary><c>pending</c>, <c>succeeded</c>, <c>failed</c> (gave up after the last retry).</summary>
    public required string Status { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>A sender owns a pending row it is posting until this time.</summary>
    public DateTimeOffset? LockedUntil { get; set; }

    public int? LastStatusCode { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public List<WebhookAttempt> AttemptLog { get; set; } = [];
}

/// <summary>One POST of a <see cref="WebhookDelivery"/>.</summary>
public sealed class WebhookAttempt
{
    public long Id { get; set; }

    public Guid WebhookDeliveryId { get; set; }

    public int Number { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public int DurationMs { get; set; }

    /// <summary>The HTTP status answered (null: no answer, see <see cref="Error"/>).</summary>
    public int? StatusCode { get; set; }

    public string? Error { get; set; }
}
