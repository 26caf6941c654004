using MassTransit;
using Microsoft.EntityFrameworkCore;
using SalesMind.Contracts;
using SalesMind.Notifier.Data;
using SalesMind.Outbox;
using SalesMind.ServiceDefaults;

namespace SalesMind.Notifier.Webhooks;

/// <summary>
/// Turns a delivery's status change (the Notifier's own event, back from the broker) into one
/// queued webhook event per enabled endpoint that wants it, in the transaction of the inbox row:
/// a redelivered event adds nothing (and the unique endpoint + event id would refuse it anyway).
/// </summary>
public sealed partial class WebhookFanOutConsumer(NotifierDb db, WebhookSignal signal, TimeProvider time, ILogger<WebhookFanOutConsumer> logger)
    : IConsumer<EmailDeliveryStatusChanged>
{
    public async Task Consume(ConsumeContext<EmailDeliveryStatusChanged> context)
    {
        var m = context.Message;
        if (WebhookEvents.For(m.Status) is not { } @event)
        {
            return; // queued, sending, sent: not announced
        }

        var ct = context.CancellationToken;
        var eventId = context.InboxKey();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await Inbox.TryAcceptAsync(db, eventId, nameof(WebhookFanOutConsumer), ct))
        {
            return;
        }

        var endpoints = await db.WebhookEndpoints.AsNoTracking()
            .Where(e => e.Enabled && e.Events.Contains(@event))
            .Select(e => e.Id)
            .ToListAsync(ct);
        var now = time.GetUtcNow();
        var payload = WebhookEvents.DeliveryPayload(eventId, @event, m, now);
        var type = WebhookEvents.TypeOf(@event);
        foreach (var endpoint in endpoints)
        {
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, payload, status, attempts, next_attempt_at, created_at)
                VALUES ({Guid.CreateVersion7(now)}, {endpoint}, {eventId}, {type}, CAST({payload} AS jsonb), {WebhookDeliveryStatus.Pending}, 0, {now}, {now})
                ON CONFLICT (endpoint_id, event_id) DO NOTHING
                """, ct);
        }

        await tx.CommitAsync(ct);
        if (endpoints.Count > 0)
        {
            signal.Set();
            LogQueued(type, m.DeliveryId, endpoints.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook event {Type} for delivery {DeliveryId} queued for {Endpoints} endpoints")]
    private partial void LogQueued(string type, Guid deliveryId, int endpoints);
}

public sealed class WebhookFanOutConsumerDefinition : RetryingConsumerDefinition<WebhookFanOutConsumer>;
