using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Audit;
using SalesMind.Identity.Data;

namespace SalesMind.Identity.Deletion;

/// <summary>
/// Removes deleted accounts once their grace period (<see cref="AccountOptions.DeletionGracePeriod"/>)
/// is over: the row goes, and with it (by cascade) the profile and whatever links were left.
/// Safe with several Identity instances: each batch is claimed with FOR UPDATE SKIP LOCKED, so
/// every account is removed, and audited, once. The account's audit entries stay (they hold
/// its id, never its address).
/// </summary>
public sealed partial class DeletedAccountPurge(
    IServiceScopeFactory scopes, IOptions<AccountOptions> options, TimeProvider time, ILogger<DeletedAccountPurge> logger) : BackgroundService
{
    public const string AuditAction = "account.purged";

    private const int BatchSize = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(ex);
            }

            try
            {
                await Task.Delay(options.Value.LifecycleInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The actor name left on audit entries of an account that was purged.</summary>
    public const string ErasedActor = "(deleted account)";

    /// <summary>Removes every account whose grace period is over; returns how many.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var purged = 0;
        int batch;
        while ((batch = await PurgeBatchAsync(ct)) > 0)
        {
            purged += batch;
        }

        if (purged > 0)
        {
            LogPurged(purged);
        }

        return purged;
    }

    private async Task<int> PurgeBatchAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var cutoff = now - options.Value.DeletionGracePeriod;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDb>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var due = await db.Users.FromSql($"""
            SELECT * FROM users
             WHERE deleted_at IS NOT NULL AND deleted_at <= {cutoff}
             ORDER BY deleted_at LIMIT {BatchSize}
             FOR UPDATE SKIP LOCKED
            """).ToListAsync(ct);
        foreach (var user in due)
        {
            // What the mail service last reported about the address goes too, unless the address
            // belongs to an account again (its owner signed up anew).
            var address = user.Email.ToLowerInvariant();
            await db.Database.ExecuteSqlAsync($"""
                DELETE FROM email_address_states s
                 WHERE s.normalized_email = {address}
                   AND NOT EXISTS (SELECT 1 FROM users u WHERE u.normalized_email = {address})
                """, ct);
            // The audit keeps who did what and when, but not the fields (addresses, client
            // addresses, profile values) nor the username the owner acted under.
            await db.Database.ExecuteSqlAsync($"UPDATE account_audit SET before = NULL, after = NULL WHERE target_user_id = {user.Id}", ct);
            await db.Database.ExecuteSqlAsync($"UPDATE account_audit SET actor_name = {ErasedActor} WHERE actor_id = {user.Id}", ct);
            // Identity's per-email history of the account's addresses, each while it was the account's.
            foreach (var (past, until) in (await AccountAddresses.PastAsync(db, user.Id, ct)).Select(p => (p.Email, p.Until)).Append((user.Email, user.DeletedAt!.Value)))
            {
                await db.Database.ExecuteSqlAsync(
                    $"DELETE FROM email_message_states WHERE recipient = {past.ToLowerInvariant()} AND occurred_at <= {until}", ct);
            }

            db.Users.Remove(user);
            AccountAudit.Add(db, actor: null, user.Id, AuditAction, before: new { deleted_at = user.DeletedAt }, after: null, now);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return due.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted accounts: {Purged} removed after their grace period")]
    private partial void LogPurged(int purged);

    [LoggerMessage(Level = LogLevel.Error, Message = "The deleted-account clean-up failed; trying again at the next interval")]
    private partial void LogFailed(Exception ex);
}
