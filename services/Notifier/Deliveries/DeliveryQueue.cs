using MassTransit;
using Microsoft.EntityFrameworkCore;
using SalesMind.Contracts;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Templates;
using SalesMind.Outbox;

namespace SalesMind.Notifier.Deliveries;

/// <summary>What every consumer does with an email to send: render the active template and record it once, then wake the dispatcher.</summary>
public sealed partial class DeliveryQueue(NotifierDb db, TemplateStore templates, BodySealer sealer, DispatchSignal signal, TimeProvider time, ILogger<DeliveryQueue> logger)
{
    /// <summary>
    /// In one transaction: the inbox row (a redelivered event stops here), the rendering of the
    /// template's active version and the delivery. Returns the new delivery's id, or null for a duplicate.
    /// </summary>
    public async Task<Guid?> QueueAsync(
        ConsumeContext context, string consumer, string template, string locale, string recipient, object model)
    {
        var ct = context.CancellationToken;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await Inbox.TryAcceptAsync(db, context.InboxKey(), consumer, ct))
        {
            LogDuplicate(context.InboxKey(), consumer);
            return null;
        }

        var values = TemplateCatalog.ValuesOf(model);
        // The stored copy shows secret links redacted; the working one is kept only sealed.
        var rendered = await templates.RenderActiveAsync(db, template, locale, values, ct, TemplateCatalog.Redacted(model.GetType(), values));
        var delivery = await AddAsync(context.InboxKey(), DeliveryKinds.Event, template, locale, recipient, rendered, context.SentTime, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        signal.Set();
        return delivery.Id;
    }

    /// <summary>An admin's test send: the given rendering, through the same dispatcher and mail server as every email.</summary>
    public async Task<Guid> QueueTestAsync(string template, string locale, string recipient, RenderResult rendered, CancellationToken ct)
    {
        var delivery = await AddAsync(Guid.NewGuid(), DeliveryKinds.Test, template, locale, recipient, rendered, null, ct);
        await db.SaveChangesAsync(ct);
        signal.Set();
        return delivery.Id;
    }

    /// <summary>Wakes the dispatcher (after the caller's own transaction committed a test send).</summary>
    public void Wake() => signal.Set();

    private async Task<Delivery> AddAsync(
        Guid sourceMessageId, string kind, string template, string locale, string recipient, RenderResult rendered, DateTime? requestedAt, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var address = recipient.ToLowerInvariant();
        var (shown, live) = (rendered.Email, rendered.Live);
        if (live is null)
        {
            // A link no model field declares (a test send's own data, a custom template's
            // variable) gets the same treatment when it carries a token.
            var redacted = new RenderedEmail(SecretRedaction.Redact(shown.Subject), SecretRedaction.Redact(shown.Html), SecretRedaction.Redact(shown.Text));
            (shown, live) = redacted == shown ? (shown, null) : (redacted, shown);
        }

        // An address that bounced hard is not sent to again until its suppression ends or is lifted.
        var suppression = await db.Suppressions.AsNoTracking()
            .FirstOrDefaultAsync(x => x.Address == address && x.LiftedAt == null && x.ExpiresAt > now, ct);
        var delivery = new Delivery
        {
            Id = Guid.CreateVersion7(now),
            SourceMessageId = sourceMessageId,
            Kind = kind,
            Template = template,
            TemplateVersionId = rendered.VersionId,
            Locale = locale,
            Recipient = recipient,
            Subject = shown.Subject,
            HtmlBody = shown.Html,
            TextBody = shown.Text,
            FromAddress = rendered.From.Address,
            FromName = rendered.From.DisplayName,
            ReplyTo = rendered.From.ReplyTo,
            Status = suppression is null ? DeliveryStatus.Queued : DeliveryStatus.Suppressed,
            LastError = suppression is null ? null : $"not sent: the address is suppressed until {suppression.ExpiresAt:u} after a hard bounce ({suppression.Reason})",
            NextAttemptAt = now,
            TraceParent = System.Diagnostics.Activity.Current?.Id,
            RequestedAt = requestedAt is { } sent ? new DateTimeOffset(DateTime.SpecifyKind(sent, DateTimeKind.Utc)) : now,
            CreatedAt = now,
            UpdatedAt = now,
        };
        if (live is not null)
        {
            delivery.LinksRedacted = true;
            // Nothing is sent to a suppressed address: its working link is not kept at all.
            delivery.SealedBody = delivery.Status == DeliveryStatus.Queued ? sealer.Seal(delivery.Id, live) : null;
        }

        db.Deliveries.Add(delivery);
        Dispatcher.StatusChanges.Add(1, new KeyValuePair<string, object?>("status", delivery.Status.ToString().ToLowerInvariant()));
        db.AddOutboxMessage(new EmailDeliveryStatusChanged(
            delivery.Id, delivery.SourceMessageId, template, recipient, delivery.Status.ToString().ToLowerInvariant(), delivery.LastError, 0, now), now);
        return delivery;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {MessageId} was already handled by {Consumer}; acknowledged and ignored")]
    private partial void LogDuplicate(Guid messageId, string consumer);
}
