using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace SalesMind.Outbox;

/// <summary>Adds events to the caller's unit of work; the caller's SaveChanges writes them.</summary>
public static class OutboxWriter
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Stages <paramref name="message"/> for publication in the same transaction as the
    /// caller's other changes. Returns the MessageId the published message will carry.
    /// </summary>
    public static Guid AddOutboxMessage<T>(this DbContext db, T message, DateTimeOffset now)
        where T : class
    {
        var row = new OutboxMessage
        {
            MessageId = Guid.CreateVersion7(now),
            MessageType = typeof(T).FullName!,
            Body = JsonSerializer.Serialize(message, Json),
            TraceParent = Activity.Current?.Id,
            CreatedAt = now,
            AvailableAt = now,
        };
        db.Set<OutboxMessage>().Add(row);
        return row.MessageId;
    }
}
