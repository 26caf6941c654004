using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using SalesMind.Contracts;
using SalesMind.Outbox;
using SalesMind.ServiceDefaults;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.Intake;

/// <summary>
/// An account was deleted: everything held about its address is erased (see
/// <see cref="DeliveryLedger.EraseRecipientAsync"/>), once per message (inbox), with an entry in
/// the admin audit. A repeated message changes nothing.
/// </summary>
public sealed partial class AccountDeletedConsumer(NotifierDb db, DeliveryLedger ledger, TimeProvider time, ILogger<AccountDeletedConsumer> logger)
    : IConsumer<AccountDeleted>
{
    public const string AuditAction = "recipient.erased";

    public async Task Consume(ConsumeContext<AccountDeleted> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await Inbox.TryAcceptAsync(db, context.InboxKey(), nameof(AccountDeletedConsumer), ct))
        {
            return;
        }

        var summary = await ledger.EraseRecipientAsync(m.Email, m.DeletedAt, ct);
        // The account's earlier addresses, each only up to when it stopped being the account's.
        foreach (var past in m.PastAddresses ?? [])
        {
            var more = await ledger.EraseRecipientAsync(past.Email, past.Until, ct);
            summary = new ErasureSummary(summary.Deliveries + more.Deliveries, summary.Cancelled + more.Cancelled, summary.Suppressions + more.Suppressions);
        }

        // The admin audit, written here in SQL: its entity belongs to the admin API, which already
        // depends on this folder. The entry names the account, never the address.
        var after = JsonSerializer.Serialize(new { deliveries = summary.Deliveries, cancelled = summary.Cancelled, suppressions = summary.Suppressions });
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO audit_entries (at, actor, action, target, after)
            VALUES ({time.GetUtcNow()}, 'system', {AuditAction}, {"account:" + m.UserId}, CAST({after} AS jsonb))
            """, ct);
        await tx.CommitAsync(ct);
        LogErased(m.UserId);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The address of deleted account {UserId} was erased")]
    private partial void LogErased(Guid userId);
}

public sealed class AccountDeletedConsumerDefinition : RetryingConsumerDefinition<AccountDeletedConsumer>;
