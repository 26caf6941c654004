using MassTransit;
using Microsoft.EntityFrameworkCore;
using SalesMind.Contracts;
using SalesMind.Outbox;
using SalesMind.ServiceDefaults;
using SalesMind.Notifier.Data;

namespace SalesMind.Notifier.Admin;

/// <summary>
/// Records that an account's older admin tokens are dead. Once per message (inbox), and the
/// version only ever rises, so a late or repeated event cannot bring a revoked token back.
/// </summary>
public sealed partial class AdminTokensRevokedConsumer(NotifierDb db, AdminRevocationCheck check, ILogger<AdminTokensRevokedConsumer> logger)
    : IConsumer<AdminTokensRevoked>
{
    public async Task Consume(ConsumeContext<AdminTokensRevoked> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            if (!await Inbox.TryAcceptAsync(db, context.InboxKey(), nameof(AdminTokensRevokedConsumer), ct))
            {
                return;
            }

            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO admin_token_revocations (user_id, min_version, revoked_at)
                VALUES ({m.UserId}, {m.TokenVersion}, {m.RevokedAt})
                ON CONFLICT (user_id) DO UPDATE
                   SET min_version = EXCLUDED.min_version, revoked_at = EXCLUDED.revoked_at
                 WHERE admin_token_revocations.min_version < EXCLUDED.min_version
                """, ct);
            await tx.CommitAsync(ct);
        }

        check.Forget(m.UserId);
        LogRevoked(m.UserId, m.TokenVersion, m.Reason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin tokens of user {UserId} below version {Version} refused from now on ({Reason})")]
    private partial void LogRevoked(Guid userId, int version, string reason);
}

public sealed class AdminTokensRevokedConsumerDefinition : RetryingConsumerDefinition<AdminTokensRevokedConsumer>;
