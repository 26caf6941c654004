using MassTransit;
using Microsoft.EntityFrameworkCore;
using SalesMind.Contracts;
using SalesMind.Identity.AddressStates;
using SalesMind.Identity.Data;
using SalesMind.Outbox;
using SalesMind.ServiceDefaults;

namespace SalesMind.Identity.DeliveryReports;

/// <summary>
/// Keeps the state of each address from the Notifier's delivery reports. Reports can arrive out
/// of order, so an older one never overwrites a newer one.
/// </summary>
public sealed class EmailDeliveryStatusChangedConsumer(IdentityDb db) : IConsumer<EmailDeliveryStatusChanged>
{
    public async Task Consume(ConsumeContext<EmailDeliveryStatusChanged> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await Inbox.TryAcceptAsync(db, context.InboxKey(), nameof(EmailDeliveryStatusChangedConsumer), ct))
        {
            return;
        }

        var diagnostic = m.Diagnostic is { Length: > 1000 } ? m.Diagnostic[..1000] : m.Diagnostic;
        // Kept only when it is one of the known classes (the column is short, and an unknown
        // word from a newer Notifier means nothing here).
        var failureClass = m.FailureClass?.ToLowerInvariant() is { } c && FailureClasses.All.Contains(c) ? c : null;
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO email_address_states (normalized_email, status, template, diagnostic, failure_class, delivery_id, occurred_at)
            VALUES ({m.Recipient.ToLowerInvariant()}, {m.Status}, {m.Template}, {diagnostic}, {failureClass}, {m.DeliveryId}, {m.OccurredAt})
            ON CONFLICT (normalized_email) DO UPDATE
               SET status = EXCLUDED.status, template = EXCLUDED.template, diagnostic = EXCLUDED.diagnostic,
                   failure_class = EXCLUDED.failure_class, delivery_id = EXCLUDED.delivery_id, occurred_at = EXCLUDED.occurred_at
             WHERE email_address_states.occurred_at <= EXCLUDED.occurred_at
            """, ct);
        // Per email too, for the browser that asked for it (see MailReceipts) and for the
        // person's own mail history (the data export).
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO email_message_states (source_message_id, recipient, template, status, diagnostic, failure_class, occurred_at)
            VALUES ({m.SourceMessageId}, {m.Recipient.ToLowerInvariant()}, {m.Template}, {m.Status}, {diagnostic}, {failureClass}, {m.OccurredAt})
            ON CONFLICT (source_message_id) DO UPDATE
               SET recipient = EXCLUDED.recipient, template = EXCLUDED.template,
                   status = EXCLUDED.status, diagnostic = EXCLUDED.diagnostic, failure_class = EXCLUDED.failure_class, occurred_at = EXCLUDED.occurred_at
             WHERE email_message_states.occurred_at <= EXCLUDED.occurred_at
            """, ct);
        await tx.CommitAsync(ct);
    }
}

public sealed class EmailDeliveryStatusChangedConsumerDefinition : RetryingConsumerDefinition<EmailDeliveryStatusChangedConsumer>;
