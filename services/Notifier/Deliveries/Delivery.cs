namespace SalesMind.Notifier.Deliveries;

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

    /// <summary>
    /// The subject and bodies above show every secret link (see <c>SecretLinkAttribute</c>)
    /// redacted: they are what the API, the dashboard and backups see.
    /// </summary>
    public bool LinksRedacted { get; set; }

    /// <summary>
    /// The rendering with working links, AES-GCM sealed under <c>Notifier:BodyEncryptionKey</c>
    /// (a key outside the database); what the dispatcher sends. Dropped once the dispatcher is done
    /// with it (handed to the mail server, or failed for good). Null for emails without secret links.
    /// </summary>
    public byte[]? SealedBody { get; set; }

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

    /// <summary>When the event that asked for this email was sent (the start of its end-to-end latency).</summary>
    public DateTimeOffset? RequestedAt { get; set; }

    /// <summary>When its final fate after the hand-off (delivered or bounced) was learned.</summary>
    public DateTimeOffset? FinalAt { get; set; }

    /// <summary>The W3C trace context of the consume that created it: the SMTP send continues that trace.</summary>
    public string? TraceParent { get; set; }

    /// <summary>Attempts made before an admin's retry: the retry budget counts from here.</summary>
    public int RetryFrom { get; set; }

    public List<DeliveryReport> Reports { get; set; } = [];

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
}

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
