using MassTransit;
using SalesMind.Contracts;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Templates;
using SalesMind.Outbox;

namespace SalesMind.Notifier.Deliveries;

/// <summary>What every consumer does with a rendered email: record it once, then wake the dispatcher.</summary>
public sealed partial class DeliveryQueue(NotifierDb db, DispatchSignal signal, TimeProvider time, ILogger<DeliveryQueue> logger)
{
    /// <summary>
    /// In one transaction: the inbox row (a redelivered event stops here) and the delivery.
    /// Returns the new delivery's id, or null for a duplicate.
    /// </summary>
    public async Task<Guid?> QueueAsync(
        ConsumeContext context, string consumer, string template, string locale, string recipient, RenderedEmail email)
    {
        var ct = context.CancellationToken;
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await Inbox.TryAcceptAsync(db, context.InboxKey(), consumer, ct))
        {
            LogDuplicate(context.InboxKey(), consumer);
            return null;
        }

        var delivery = new Delivery
        {
            Id = Guid.CreateVersion7(now),
            SourceMessageId = context.InboxKey(),
            Template = template,
            Locale = locale,
            Recipient = recipient,
            Subject = email.Subject,
            HtmlBody = email.Html,
            TextBody = email.Text,
            Status = DeliveryStatus.Queued,
            NextAttemptAt = now,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Deliveries.Add(delivery);
        db.AddOutboxMessage(new EmailDeliveryStatusChanged(
            delivery.Id, delivery.SourceMessageId, template, recipient, "queued", null, 0, now), now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        signal.Set();
        return delivery.Id;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {MessageId} was already handled by {Consumer}; acknowledged and ignored")]
    private partial void LogDuplicate(Guid messageId, string consumer);
}
