namespace SalesMind.Contracts;

/// <summary>
/// A delivery's status changed. Written by the Notifier in the same transaction as the change;
/// events can arrive out of order, so consumers compare <paramref name="OccurredAt"/>.
/// </summary>
/// <param name="DeliveryId">The delivery.</param>
/// <param name="SourceMessageId">The event that asked for the email.</param>
/// <param name="Template">Template key, e.g. <c>email-verification</c>.</param>
/// <param name="Recipient">The address.</param>
/// <param name="Status">
/// The new status, lower case, one of:
/// <c>queued</c> (new, interrupted before the mail server answered, or sent again by an admin),
/// <c>suppressed</c> (new, not sent: the address bounced hard recently),
/// <c>sent</c> (the mail server accepted it),
/// <c>deferred</c> (a temporary failure before the hand-off, retried later; or a delay reported after it),
/// <c>failed</c> (refused for good, or could not be composed),
/// <c>abandoned</c> (temporary failures past the last retry),
/// <c>delivered</c> (the receiving side reported it delivered),
/// <c>bounced</c> (accepted, then reported undeliverable),
/// <c>complained</c> (the recipient reported it as spam; the address is suppressed).
/// A delivery being handed over (<c>sending</c>) is not announced.
/// </param>
/// <param name="Diagnostic">The mail server's reply or the error, when there is one.</param>
/// <param name="Attempt">Attempts made so far.</param>
/// <param name="OccurredAt">When the change was made.</param>
/// <param name="FailureClass">
/// For deferred, failed, abandoned and bounced: what kind of failure, lower case, one of
/// <c>hard</c>, <c>soft</c>, <c>throttled</c> (the receiver's policy: the sender's problem),
/// <c>auth</c> (SPF/DKIM/DMARC rejected), <c>unknown</c>. Null otherwise, and in events written
/// before failures were classified.
/// </param>
public sealed record EmailDeliveryStatusChanged(
    Guid DeliveryId,
    Guid SourceMessageId,
    string Template,
    string Recipient,
    string Status,
    string? Diagnostic,
    int Attempt,
    DateTimeOffset OccurredAt,
    string? FailureClass = null);
