namespace SalesMind.Identity.AddressStates;

/// <summary>What the Notifier last reported about mail to an address (the newest report wins).</summary>
public sealed class EmailAddressState
{
    public required string NormalizedEmail { get; set; }

    /// <summary>One of <see cref="DeliveryStatuses.Reported"/>.</summary>
    public required string Status { get; set; }

    public required string Template { get; set; }

    public string? Diagnostic { get; set; }

    public Guid DeliveryId { get; set; }

    /// <summary>For a failure, its kind: one of <see cref="FailureClasses.All"/>; null otherwise and for older reports.</summary>
    public string? FailureClass { get; set; }

    /// <summary>When the reported change happened (not when it arrived).</summary>
    public DateTimeOffset OccurredAt { get; set; }
}

/// <summary>
/// The statuses the Notifier sends in <c>EmailDeliveryStatusChanged</c> (its <c>DeliveryStatus</c>,
/// lower case). Its <c>sending</c> is a dispatcher's claim on a row and is never reported.
/// </summary>
public static class DeliveryStatuses
{
    /// <summary>Rendered and waiting for an attempt (also after an admin's retry).</summary>
    public const string Queued = "queued";

    /// <summary>The mail server accepted it.</summary>
    public const string Sent = "sent";

    /// <summary>A temporary failure; it is tried again (by the Notifier or by the mail server).</summary>
    public const string Deferred = "deferred";

    /// <summary>Refused permanently by the mail server.</summary>
    public const string Failed = "failed";

    /// <summary>Temporary failures went on past the last retry.</summary>
    public const string Abandoned = "abandoned";

    /// <summary>The receiving side reported it delivered.</summary>
    public const string Delivered = "delivered";

    /// <summary>Accepted, then reported undeliverable.</summary>
    public const string Bounced = "bounced";

    /// <summary>Not sent: the address bounced hard recently (or its owner complained).</summary>
    public const string Suppressed = "suppressed";

    /// <summary>
    /// It arrived, and its recipient reported it as spam (a feedback-loop report): the Notifier
    /// sends nothing more to the address. Not <see cref="Unreachable"/>: the email did arrive.
    /// </summary>
    public const string Complained = "complained";

    public static readonly IReadOnlyList<string> Reported = [Queued, Sent, Deferred, Failed, Abandoned, Delivered, Bounced, Suppressed, Complained];

    /// <summary>The statuses that mean the email will not arrive.</summary>
    public static readonly IReadOnlySet<string> Unreachable = new HashSet<string>(StringComparer.Ordinal) { Bounced, Failed, Suppressed, Abandoned };
}

/// <summary>
/// What happened to one email, by the event that asked for it (kept from the Notifier's
/// <c>EmailDeliveryStatusChanged</c> events).
/// </summary>
public sealed class EmailMessageState
{
    public Guid SourceMessageId { get; set; }

    /// <summary>The address it went to, lower case (null for reports from before this was kept).</summary>
    public string? Recipient { get; set; }

    /// <summary>Its template key, e.g. <c>email-verification</c>.</summary>
    public string? Template { get; set; }

    public required string Status { get; set; }

    public string? Diagnostic { get; set; }

    /// <summary>For a failure, its kind: one of <see cref="FailureClasses.All"/>; null otherwise and for older reports.</summary>
    public string? FailureClass { get; set; }

    public DateTimeOffset OccurredAt { get; set; }
}

/// <summary>
/// The kinds of failure the Notifier sends in <c>EmailDeliveryStatusChanged.FailureClass</c>
/// (lower case). Throttled and auth are the sender's problem, not the recipient's address.
/// </summary>
public static class FailureClasses
{
    /// <summary>The address or its domain does not exist, or refuses mail for good.</summary>
    public const string Hard = "hard";

    /// <summary>A temporary problem at the recipient (mailbox full, server down).</summary>
    public const string Soft = "soft";

    /// <summary>The receiver's rate limits or policy blocks: our mail, not the address.</summary>
    public const string Throttled = "throttled";

    /// <summary>The receiver rejected our SPF, DKIM or DMARC: our mail, not the address.</summary>
    public const string Auth = "auth";

    /// <summary>Not recognised.</summary>
    public const string Unknown = "unknown";

    public static readonly IReadOnlyList<string> All = [Hard, Soft, Throttled, Auth, Unknown];

    /// <summary>Whether a failure of this class says something about our sending rather than the address.</summary>
    public static bool IsSendersProblem(string? failureClass) => failureClass is Throttled or Auth;
}

/// <summary>
/// A browser's claim on "the email my sign-up (or resend) caused": an opaque cookie whose hash
/// names the event that asked for the email. Every sign-up and resend gets one, whether or not
/// an email was sent (then it names nothing), so holding one reveals nothing.
/// </summary>
public sealed class MailReceipt
{
    public required byte[] TokenHash { get; set; }

    public Guid SourceMessageId { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}
