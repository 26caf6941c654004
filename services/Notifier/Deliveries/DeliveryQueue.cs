using MassTransit;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Templates;
using SalesMind.Outbox;

namespace SalesMind.Notifier.Deliveries;

/// <summary>What every consumer does with a rendered email: record it once, then wake the dispatcher.</summary>
public sealed class DeliveryQueue(NotifierDb db, DispatchSignal signal, TimeProvider time)
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
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        signal.Set();
        return delivery.Id;
    }
}
