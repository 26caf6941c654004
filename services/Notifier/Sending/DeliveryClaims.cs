using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.Sending;

/// <summary>
/// The dispatcher's two claims, each one short statement with SKIP LOCKED so several Notifier
/// instances share the work. A claim is a lock, not news: it moves a due delivery to
/// <c>sending</c> (no event; the attempt's answer is recorded by the <see cref="DeliveryLedger"/>).
/// </summary>
public sealed class DeliveryClaims(IServiceScopeFactory scopes, IOptions<DeliveryOptions> options)
{
    private static readonly string[] Claimable = [.. Delivery.Claimable.Select(s => s.Name())];
    private static readonly string Sending = DeliveryStatus.Sending.Name();

    /// <summary>Marks up to <paramref name="count"/> due deliveries as being sent by this dispatcher.</summary>
    public async Task<List<Delivery>> ClaimDueAsync(int count, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotifierDb>();
        return await db.Deliveries.FromSql($"""
            WITH c AS (
                SELECT id FROM deliveries
                WHERE status = ANY({Claimable}) AND queue_id IS NULL AND next_attempt_at <= now()
                ORDER BY next_attempt_at
                LIMIT {count}
                FOR UPDATE SKIP LOCKED)
            UPDATE deliveries d
               SET status = {Sending}, attempts = d.attempts + 1, locked_until = now() + {options.Value.LockDuration}, updated_at = now()
              FROM c
             WHERE d.id = c.id
            RETURNING d.*
            """).AsNoTracking().ToListAsync(ct);
    }

    /// <summary>
    /// Takes over up to <paramref name="count"/> deliveries left in <c>sending</c> past their lock
    /// (a dispatcher died during the hand-over), locking them again for this one.
    /// </summary>
    public async Task<List<Delivery>> ClaimInDoubtAsync(int count, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotifierDb>();
        return await db.Deliveries.FromSql($"""
            WITH c AS (
                SELECT id FROM deliveries
                WHERE status = {Sending} AND locked_until < now()
                ORDER BY locked_until
                LIMIT {count}
                FOR UPDATE SKIP LOCKED)
            UPDATE deliveries d
               SET locked_until = now() + {options.Value.LockDuration}, updated_at = now()
              FROM c
             WHERE d.id = c.id
            RETURNING d.*
            """).AsNoTracking().ToListAsync(ct);
    }
}
