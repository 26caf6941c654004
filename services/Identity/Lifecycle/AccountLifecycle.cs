using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesMind.Contracts;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Data;
using SalesMind.Identity.Verification;
using SalesMind.Outbox;

namespace SalesMind.Identity.Lifecycle;

/// <summary>
/// Unverified accounts: one reminder with a fresh link after <c>ReminderAfter</c> (24 h), deletion
/// after <c>DeleteUnverifiedAfter</c> (7 days), both announced through the outbox. Safe with
/// several Identity instances: each batch is claimed with FOR UPDATE SKIP LOCKED, and the
/// reminder mark is written in the same transaction as its event. Accounts an admin deactivated are
/// left alone: no link goes to them, and deleting them would free the address for a new sign-up
/// behind the admin's back.
/// </summary>
public sealed partial class AccountLifecycle(
    IServiceScopeFactory scopes, IOptions<AccountOptions> options, TimeProvider time, ILogger<AccountLifecycle> logger) : BackgroundService
{
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

    /// <summary>Reminds and deletes everything due now. Returns (reminded, deleted).</summary>
    public async Task<(int Reminded, int Deleted)> RunOnceAsync(CancellationToken ct)
    {
        var reminded = 0;
        var deleted = 0;
        int batch;
        while ((batch = await RemindBatchAsync(ct)) > 0)
        {
            reminded += batch;
        }

        while ((batch = await DeleteBatchAsync(ct)) > 0)
        {
            deleted += batch;
        }

        if (reminded + deleted > 0)
        {
            LogDone(reminded, deleted);
        }

        await ForgetFinishedEmailChangesAsync(ct);
        return (reminded, deleted);
    }

    /// <summary>
    /// Address changes whose link and undo link have both stopped working hold nothing anyone
    /// can use (nor an address held for an undo): kept a further <see cref="FinishedEmailChangesKept"/>
    /// for support, then deleted, so the table does not grow without bound.
    /// </summary>
    private async Task ForgetFinishedEmailChangesAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var cutoff = now - FinishedEmailChangesKept;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDb>();
        await db.EmailChanges
            .Where(c => c.ExpiresAt <= cutoff && (c.UndoExpiresAt == null || c.UndoExpiresAt <= cutoff))
            .ExecuteDeleteAsync(ct);
    }

    /// <summary>How long a finished address change is kept after its last link stopped working.</summary>
    public static readonly TimeSpan FinishedEmailChangesKept = TimeSpan.FromDays(30);

    private async Task<int> RemindBatchAsync(CancellationToken ct)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var cutoff = now - settings.ReminderAfter;
        var deleteCutoff = now - settings.DeleteUnverifiedAfter;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDb>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var due = await db.Users.FromSql($"""
            SELECT * FROM users
             WHERE email_verified_at IS NULL AND verification_reminder_sent_at IS NULL AND deactivated_at IS NULL
               AND created_at <= {cutoff} AND created_at > {deleteCutoff}
             ORDER BY created_at LIMIT {BatchSize}
             FOR UPDATE SKIP LOCKED
            """).Include(u => u.Profile).ToListAsync(ct);
        foreach (var user in due)
        {
            user.VerificationReminderSentAt = now;
            await VerificationMail.RevokeAsync(db, user.Id, now, ct);
            var url = VerificationMail.Add(db, user, user.Profile?.Locale ?? "ja", settings, now, publish: false);
            db.AddOutboxMessage(new VerificationReminderDue(
                user.Id, user.Username, user.Email, user.Profile?.Locale ?? "ja", url.Url, url.ExpiresAt,
                user.CreatedAt + settings.DeleteUnverifiedAfter, url.Code), now);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return due.Count;
    }

    private async Task<int> DeleteBatchAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var cutoff = now - options.Value.DeleteUnverifiedAfter;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDb>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var due = await db.Users.FromSql($"""
            SELECT * FROM users
             WHERE email_verified_at IS NULL AND deactivated_at IS NULL AND created_at <= {cutoff}
               -- A contested address counts from the contest: the owner who signed up late (after
               -- someone pre-registered it) gets the whole period, not what was left of the other's.
               AND COALESCE(contested_at, created_at) <= {cutoff}
             ORDER BY created_at LIMIT {BatchSize}
             FOR UPDATE SKIP LOCKED
            """).ToListAsync(ct);
        foreach (var user in due)
        {
            db.Users.Remove(user);
            db.AddOutboxMessage(new UnverifiedAccountDeleted(user.Id, user.Email, now), now);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return due.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Unverified accounts: {Reminded} reminded, {Deleted} deleted")]
    private partial void LogDone(int reminded, int deleted);

    [LoggerMessage(Level = LogLevel.Error, Message = "The unverified-account job failed; trying again at the next interval")]
    private partial void LogFailed(Exception ex);
}
