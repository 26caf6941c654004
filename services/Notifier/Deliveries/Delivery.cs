namespace SalesMind.Notifier.Deliveries;

public enum DeliveryStatus
{
    /// <summary>Rendered and waiting for its first attempt.</summary>
    Queued,

    /// <summary>Claimed by a dispatcher that is talking to the mail server right now.</summary>
    Sending,

    /// <summary>The mail server accepted it (250) and gave it a queue id.</summary>
    Sent,

    /// <summary>The last attempt failed temporarily; the next one is at <see cref="Delivery.NextAttemptAt"/>.</summary>
    Deferred,

    /// <summary>The mail server refused it permanently (5xx); not retried.</summary>
    Failed,

    /// <summary>Temporary failures went on past the last retry.</summary>
    Abandoned,
}

public static class DeliveryKinds
{
    public const string Event = "event";
    public const string Test = "test";
}

/// <summary>One email to one recipient, and everything known about its fate.</summary>
public sealed class Delivery
{
    public Guid Id { get; set; }

    /// <summary>The event that asked for this email; with <see cref="Template"/> it is unique.</summary>
    public Guid SourceMessageId { get; set; }

    /// <summary>Template key, e.g. <c>email-verification</c>.</summary>
    public required string Template { get; set; }

    public required string Locale { get; set; }

    /// <summary><c>event</c> (asked for by a message) or <c>test</c> (an admin's test send).</summary>
    public string Kind { get; set; } = DeliveryKinds.Event;

    /// <summary>The template version it was rendered from (null for rows older than versioned templates).</summary>
    public long? TemplateVersionId { get; set; }

    /// <summary>The From address, chosen from the senders when it was rendered (null: the configured Mail:FromAddress).</summary>
    public string? FromAddress { get; set; }

    public string? FromName { get; set; }

    public string? ReplyTo { get; set; }

    public required string Recipient { get; set; }

    public required string Subject { get; set; }

    public required string HtmlBody { get; set; }

    public required string TextBody { get; set; }

    public DeliveryStatus Status { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>A dispatcher owns a <see cref="DeliveryStatus.Sending"/> row until this time.</summary>
    public DateTimeOffset? LockedUntil { get; set; }

    /// <summary>The mail server's queue id from its <c>250 … queued as ID</c> reply.</summary>
    public string? QueueId { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    public List<DeliveryAttempt> AttemptLog { get; set; } = [];

    /// <summary>The Message-ID header: fixed per delivery, so a resend is recognisable as the same email.</summary>
    public string MessageIdHeader(string domain) => $"{Id:N}@{domain}";
}

/// <summary>One try at handing a delivery to the mail server.</summary>
public sealed class DeliveryAttempt
{
    public long Id { get; set; }

    public Guid DeliveryId { get; set; }

    public int Number { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public int DurationMs { get; set; }

    /// <summary>sent, deferred or failed.</summary>
    public required string Outcome { get; set; }

    public int? SmtpCode { get; set; }

    /// <summary>The server's reply or the error, trimmed.</summary>
    public string? Reply { get; set; }
}
