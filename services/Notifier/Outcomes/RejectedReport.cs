using System.Diagnostics.Metrics;
using System.Text.Json;
using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.Outcomes;

/// <summary>Why a delivery report or a complaint changed nothing.</summary>
public enum ReportRejection
{
    /// <summary>Sent to the bounce domain without a signature (e.g. the plain <c>bounces@</c> address).</summary>
    Unsigned,

    /// <summary>Sent to a return path whose signature is not ours.</summary>
    BadSignature,

    /// <summary>The signed return path names a delivery that does not exist (any more).</summary>
    UnknownDelivery,

    /// <summary>The delivery was never handed to the mail server (failed, abandoned or suppressed before), so no server can report on it.</summary>
    NotHandedOver,

    /// <summary>Original-Envelope-Id names another delivery.</summary>
    EnvelopeIdMismatch,

    /// <summary>X-Postfix-Queue-ID is not the delivery's queue id.</summary>
    QueueIdMismatch,

    /// <summary>A recipient group names another address than the delivery's (or none).</summary>
    RecipientMismatch,

    /// <summary>Unreadable as one report: too many recipient groups, several status parts, no action.</summary>
    Malformed,

    /// <summary>The report was already applied to another signed recipient of the same message: one report, one delivery.</summary>
    OneDeliveryPerReport,

    /// <summary>More recipients in one message than are looked at.</summary>
    TooManyRecipients,

    /// <summary>A feedback report (ARF) whose Feedback-Type is not a person's complaint (e.g. <c>not-spam</c>, <c>auth-failure</c>).</summary>
    NotAComplaint,

    /// <summary>A complaint that names no email of ours: no signed return path and no Message-ID of ours.</summary>
    Unmatched,

    /// <summary>
    /// A complaint whose references disagree: its return path, Original-Mail-From, the original's
    /// Message-ID or X-SalesMind-Delivery name different deliveries, or one of them is not ours.
    /// </summary>
    ReferenceMismatch,
}

public static class ReportRejections
{
    private static readonly Meter Meter = new(DeliveryLedger.MeterName);

    /// <summary>One counter for both intakes (an instrument is created once per name).</summary>
    private static readonly Counter<long> Rejected = Meter.CreateCounter<long>(
        "salesmind.delivery.reports.rejected",
        description: "Delivery reports and complaints that changed nothing (unsigned return path, bad signature, disagreeing contents), by reason and kind (dsn or arf)");

    /// <summary>Counts a rejection of a report of <paramref name="kind"/> (<c>dsn</c> or <c>arf</c>).</summary>
    internal static void Count(ReportRejection reason, string kind) =>
        Rejected.Add(1, new KeyValuePair<string, object?>("reason", reason.Name()), new KeyValuePair<string, object?>("kind", kind));

    /// <summary><c>BadSignature</c> → <c>bad_signature</c>: the name the API and the metric use.</summary>
    public static string Name(this ReportRejection reason) => JsonNamingPolicy.SnakeCaseLower.ConvertName(reason.ToString());
}

/// <summary>
/// A delivery report or complaint (feedback report) that changed nothing, kept for operators (<c>GET /api/admin/reports/rejected</c>
/// and, when its signed return path named one, the delivery's own view). Everything but
/// <see cref="DeliveryId"/> is as the sender claimed it.
/// </summary>
public sealed class RejectedReport
{
    public long Id { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    public ReportRejection Reason { get; set; }

    /// <summary>What exactly disagreed, for a person.</summary>
    public required string Detail { get; set; }

    /// <summary>The address the report was sent to (SMTP RCPT TO).</summary>
    public required string ReturnPath { get; set; }

    /// <summary>The delivery its return path names when the signature is ours; otherwise null.</summary>
    public Guid? DeliveryId { get; set; }

    /// <summary>SMTP MAIL FROM of the report.</summary>
    public string? Sender { get; set; }

    /// <summary>The address of the client that handed it over.</summary>
    public string? RemoteAddress { get; set; }

    public string? EnvelopeId { get; set; }

    public string? QueueId { get; set; }

    /// <summary>The first recipient the report names (a complaint's Original-Rcpt-To or the original's To).</summary>
    public string? FinalRecipient { get; set; }

    /// <summary>A delivery report's action (<c>failed</c>, <c>delayed</c>…), or a complaint's Feedback-Type (<c>abuse</c>, <c>not-spam</c>…).</summary>
    public string? Action { get; set; }

    public string? Status { get; set; }

    /// <summary>Recipient groups in the report (for a complaint: the recipients it names).</summary>
    public int Entries { get; set; }
}
