using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace SalesMind.Outbox;

/// <summary>Makes a consumer idempotent: the first statement of its transaction records the message.</summary>
public static class Inbox
{
    /// <summary>
    /// Records (message id, consumer) inside the current transaction. Returns false when this
    /// consumer already handled the message: the caller acknowledges and does nothing else.
    /// A concurrent duplicate blocks on the primary key until the first commits, then sees false.
    /// </summary>
    public static async Task<bool> TryAcceptAsync(DbContext db, Guid messageId, string consumer, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("The inbox must be written inside the consumer's transaction.");
        }

        var inserted = await db.Database.ExecuteSqlAsync(
            $"INSERT INTO inbox_message (message_id, consumer, received_at) VALUES ({messageId}, {consumer}, now()) ON CONFLICT DO NOTHING",
            ct);
        return inserted == 1;
    }

    /// <summary>The id a message is de-duplicated on: the one the outbox gave it.</summary>
    public static Guid InboxKey(this ConsumeContext context) =>
        context.MessageId ?? throw new InvalidOperationException("A message without MessageId cannot be de-duplicated.");
}
