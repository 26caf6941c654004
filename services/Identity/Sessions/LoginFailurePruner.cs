using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Data;

namespace SalesMind.Identity.Sessions;

/// <summary>
/// Keeps <c>login_failures</c> and <c>known_devices</c> bounded: every minute it deletes counters
/// nobody has touched for the lockout duration (and whose lock has ended) and expired devices.
/// Names sprayed by a stranger therefore live at most that long, and how many there can be is
/// bounded by the per-address rate limits. Harmless with several instances.
/// </summary>
public sealed partial class LoginFailurePruner(
    IServiceScopeFactory scopes, IOptions<AccountOptions> options, TimeProvider time, ILogger<LoginFailurePruner> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PruneAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, ex);
            }

            try
            {
                await Task.Delay(Interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async Task PruneAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var forgetBefore = now - options.Value.LockoutDuration;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDb>();
        await db.LoginFailures
            .Where(f => f.LastAttemptAt <= forgetBefore && (f.LockedUntil == null || f.LockedUntil <= now))
            .ExecuteDeleteAsync(ct);
        await db.KnownDevices.Where(d => d.ExpiresAt <= now).ExecuteDeleteAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pruning login counters failed; retrying in a minute")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
