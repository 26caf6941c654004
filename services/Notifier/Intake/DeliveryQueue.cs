using MassTransit;
using SalesMind.Outbox;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Intake;

/// <summary>What every consumer does with an email to send: render the active template and record it once, then wake the dispatcher.</summary>
public sealed partial class DeliveryQueue(NotifierDb db, TemplateStore templates, DeliveryLedger ledger, DispatchSignal signal, ILogger<DeliveryQueue> logger)
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
        await tx.CommitAsync(ct);
        signal.Set();
        return delivery.Id;
    }

    /// <summary>An admin's test send: the given rendering, through the same dispatcher and mail server as every email.</summary>
    public async Task<Guid> QueueTestAsync(string template, string locale, string recipient, RenderResult rendered, CancellationToken ct)
    {
        var delivery = await AddAsync(Guid.NewGuid(), DeliveryKinds.Test, template, locale, recipient, rendered, null, ct);
        signal.Set();
        return delivery.Id;
    }

    /// <summary>Wakes the dispatcher (after the caller's own transaction committed a test send).</summary>
    public void Wake() => signal.Set();

    private async Task<Delivery> AddAsync(
        Guid sourceMessageId, string kind, string template, string locale, string recipient, RenderResult rendered, DateTime? requestedAt, CancellationToken ct)
    {
        var (shown, live) = (rendered.Email, rendered.Live);
        if (live is null)
        {
            // A link no model field declares (a test send's own data, a custom template's
            // variable) gets the same treatment when it carries a token.
            var redacted = new RenderedEmail(SecretRedaction.Redact(shown.Subject), SecretRedaction.Redact(shown.Html), SecretRedaction.Redact(shown.Text));
            (shown, live) = redacted == shown ? (shown, null) : (redacted, shown);
        }

        var delivery = new Delivery
        {
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
            TraceParent = System.Diagnostics.Activity.Current?.Id,
            // Unknown for a test send: the ledger counts from the moment it records it.
            RequestedAt = requestedAt is { } sent ? new DateTimeOffset(DateTime.SpecifyKind(sent, DateTimeKind.Utc)) : null,
        };
        return await ledger.QueueAsync(delivery, live, ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Message {MessageId} was already handled by {Consumer}; acknowledged and ignored")]
    private partial void LogDuplicate(Guid messageId, string consumer);
}
