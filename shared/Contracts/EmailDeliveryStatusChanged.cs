namespace SalesMind.Contracts;

/// <summary>
/// A delivery's status changed (queued, sent, deferred, failed, abandoned). Written by the
/// Notifier in the same transaction as the change; events can arrive out of order, so consumers
/// compare <paramref name="OccurredAt"/>.
/// </summary>
/// <param name="DeliveryId">The delivery.</param>
/// <param name="SourceMessageId">The event that asked for the email.</param>
/// <param name="Template">Template key, e.g. <c>email-verification</c>.</param>
/// <param name="Recipient">The address.</param>
/// <param name="Status">The new status, lower case.</param>
/// <param name="Diagnostic">The mail server's reply or the error, when there is one.</param>
/// <param name="Attempt">Attempts made so far.</param>
/// <param name="OccurredAt">When the change was made.</param>
public sealed record EmailDeliveryStatusChanged(
    Guid DeliveryId,
    Guid SourceMessageId,
    string Template,
    string Recipient,
    string Status,
    string? Diagnostic,
    int Attempt,
    DateTimeOffset OccurredAt);
