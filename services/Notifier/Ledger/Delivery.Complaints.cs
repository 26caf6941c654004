namespace SalesMind.Notifier.Ledger;

public sealed partial class Delivery
{
    /// <summary>
    /// Statuses a complaint may follow: the email was handed to the mail server (a delay or even a
    /// bounce report may have come first: a complaint is proof that it arrived after all).
    /// </summary>
    public static readonly DeliveryStatus[] Complainable = [DeliveryStatus.Sent, DeliveryStatus.Delivered, DeliveryStatus.Deferred, DeliveryStatus.Bounced];

    /// <summary>
    /// The recipient reported this email as spam (a feedback-loop report). Only after the
    /// hand-off; a second complaint about the same email says nothing new.
    /// </summary>
    public StatusChange? MarkComplained(string? detail, DateTimeOffset at)
    {
        if (!Complainable.Contains(Status) || QueueId is null)
        {
            return null;
        }

        // The last news about this email: it arrived, and its reader did not want it.
        FinalAt ??= at;
        return Move(DeliveryStatus.Complained, detail, at);
    }
}
