namespace SalesMind.Notifier.Ledger;

/// <summary>Why a delivery exists: asked for by a message, or an admin's test send.</summary>
public static class DeliveryKinds
{
    public const string Event = "event";
    public const string Test = "test";
}

/// <summary>One email to one recipient, and everything known about its fate.</summary>
public sealed partial class Delivery
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

    /// <summary>Changed only by the transition methods below, each of which checks the current status first.</summary>
    public DeliveryStatus Status { get; private set; }

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    /// <summary>A dispatcher owns a <see cref="DeliveryStatus.Sending"/> row until this time.</summary>
    public DateTimeOffset? LockedUntil { get; set; }

    /// <summary>The mail server's queue id from its <c>250 … queued as ID</c> reply.</summary>
    public string? QueueId { get; set; }

    public string? LastError { get; set; }

    /// <summary>
    /// What kind of failure the latest one was (see <see cref="FailureClassifier"/>); null while
    /// nothing failed. Set by the failing transitions; a later delivery or an admin's retry keeps
    /// it, as history: read it with <see cref="Status"/> (the event carries it only for failures).
    /// </summary>
    public FailureClass? FailureClass { get; set; }

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

    /// <summary>Statuses the dispatcher claims a delivery from (when it has no queue id yet and is due).</summary>
    public static readonly DeliveryStatus[] Claimable = [DeliveryStatus.Queued, DeliveryStatus.Deferred];

    /// <summary>Statuses an admin may send again from.</summary>
    public static readonly DeliveryStatus[] Retryable = [DeliveryStatus.Failed, DeliveryStatus.Abandoned, DeliveryStatus.Bounced];

    /// <summary>The first status of a new delivery: queued, or suppressed when the address bounced hard recently.</summary>
    public StatusChange Open(Suppression? suppression, DateTimeOffset at)
    {
        Status = suppression is null ? DeliveryStatus.Queued : DeliveryStatus.Suppressed;
        LastError = suppression is null ? null : suppression.Reason == Suppression.ComplaintReason
            ? $"not sent: the address is suppressed until {suppression.ExpiresAt:u} after a complaint (its owner reported an email as spam)"
            : $"not sent: the address is suppressed until {suppression.ExpiresAt:u} after a hard bounce ({suppression.Reason})";
        NextAttemptAt = at;
        CreatedAt = at;
        UpdatedAt = at;
        return new StatusChange(this, null, Status, LastError, at);
    }

    /// <summary>
    /// Not sent after all: the account it was for no longer exists (see <c>DeliveryLedger.EraseRecipientAsync</c>).
    /// Only before the hand-off (queued, or deferred without a queue id); it ends as suppressed,
    /// which nobody retries.
    /// </summary>
    public StatusChange? Cancel(string reason, DateTimeOffset at)
    {
        if (Status != DeliveryStatus.Queued && !(Status == DeliveryStatus.Deferred && QueueId is null))
        {
            return null;
        }

        return Move(DeliveryStatus.Suppressed, reason, at);
    }

    /// <summary>The mail server accepted the message (250) as <paramref name="queueId"/>.</summary>
    public StatusChange? MarkSent(string? queueId, DateTimeOffset at)
    {
        if (Status != DeliveryStatus.Sending)
        {
            return null;
        }

        QueueId = queueId;
        SentAt = at;
        return Move(DeliveryStatus.Sent, null, at);
    }

    /// <summary>The mail server refused the message permanently, or it could not be composed at all.</summary>
    public StatusChange? MarkFailed(string? reason, DateTimeOffset at, FailureClass? failureClass = null) =>
        Status == DeliveryStatus.Sending ? Move(DeliveryStatus.Failed, reason, at, failureClass) : null;

    /// <summary>The attempt was cut short by the Notifier itself: straight back in line, without waiting out a backoff.</summary>
    public StatusChange? MarkInterrupted(string? reason, DateTimeOffset at)
    {
        if (Status != DeliveryStatus.Sending)
        {
            return null;
        }

        NextAttemptAt = at;
        return Move(DeliveryStatus.Queued, reason, at);
    }

    /// <summary>
    /// A temporary failure: deferred until the next attempt of the schedule, or abandoned when
    /// this was the last attempt of the current round.
    /// </summary>
    public StatusChange? MarkDeferred(string? reason, DeliveryOptions schedule, DateTimeOffset at, FailureClass? failureClass = null)
    {
        if (Status != DeliveryStatus.Sending)
        {
            return null;
        }

        if (Attempts - RetryFrom >= schedule.MaxAttempts)
        {
            return Move(DeliveryStatus.Abandoned, reason, at, failureClass);
        }

        NextAttemptAt = at + schedule.DelayAfter(Attempts);
        return Move(DeliveryStatus.Deferred, reason, at, failureClass);
    }

    /// <summary>
    /// The status a report (RFC 3464 <paramref name="action"/>) moves a delivery to, or null when
    /// it says nothing new. Final fates (delivered, bounced) are not undone by a late delay; a
    /// bounce after delivery (a relay that accepted and then gave up) is the truer news and wins.
    /// </summary>
    public static DeliveryStatus? StatusAfterReport(DeliveryStatus current, string action) => action.ToLowerInvariant() switch
    {
        ReportActions.Failed when current is DeliveryStatus.Sent or DeliveryStatus.Deferred or DeliveryStatus.Delivered => DeliveryStatus.Bounced,
        ReportActions.Delayed when current is DeliveryStatus.Sent => DeliveryStatus.Deferred,
        ReportActions.Delivered or ReportActions.Relayed or ReportActions.Expanded when current is DeliveryStatus.Sent or DeliveryStatus.Deferred => DeliveryStatus.Delivered,
        _ => null,
    };

    /// <summary>
    /// News from after the hand-off (a report or the mail log); null when it says nothing new.
    /// <paramref name="failureClass"/>: a failed or delayed report's class (a delivered one clears nothing).
    /// </summary>
    public StatusChange? ApplyReport(string action, string? diagnostic, DateTimeOffset at, FailureClass? failureClass = null)
    {
        if (StatusAfterReport(Status, action) is not { } next)
        {
            return null;
        }

        if (next is DeliveryStatus.Delivered or DeliveryStatus.Bounced)
        {
            FinalAt = at;
        }

        return Move(next, next == DeliveryStatus.Delivered ? null : diagnostic, at, next == DeliveryStatus.Delivered ? null : failureClass);
    }

    /// <summary>An admin sends a failed, abandoned or bounced delivery again: a fresh round of attempts.</summary>
    public StatusChange? Requeue(DateTimeOffset at)
    {
        if (!Retryable.Contains(Status))
        {
            return null;
        }

        var from = Status;
        Status = DeliveryStatus.Queued;
        RetryFrom = Attempts;
        QueueId = null;
        SentAt = null;
        FinalAt = null;
        NextAttemptAt = at;
        UpdatedAt = at;
        // The last error stays on the row (what went wrong before); the event announces a clean start.
        return new StatusChange(this, from, Status, null, at);
    }

    private StatusChange Move(DeliveryStatus to, string? error, DateTimeOffset at, FailureClass? failureClass = null)
    {
        var from = Status;
        Status = to;
        LastError = error;
        // Only a failure sets the class; anything else leaves the last one as history.
        FailureClass = failureClass ?? FailureClass;
        UpdatedAt = at;
        return new StatusChange(this, from, to, error, at);
    }
}

/// <summary>What a transition did: the ledger saves it with its event and counts it.</summary>
/// <param name="From">Null for a new delivery.</param>
/// <param name="Error">The error the event carries.</param>
public sealed record StatusChange(Delivery Delivery, DeliveryStatus? From, DeliveryStatus To, string? Error, DateTimeOffset At);
