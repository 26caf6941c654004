using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using SalesMind.ServiceDefaults;
using SalesMind.Notifier.Data;

namespace SalesMind.Notifier.Admin;

/// <summary>
/// The Notifier's per-request check of a validly signed admin token: its version is not below
/// what Identity last announced for the account (<see cref="AdminTokensRevokedConsumer"/>).
/// Remembered for two seconds; the consumer makes this instance forget at once.
/// </summary>
public sealed class AdminRevocationCheck(IServiceScopeFactory scopes, IMemoryCache cache) : IAdminTokenCheck
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);

    public async Task<string?> RejectAsync(AdminTokenClaims token, CancellationToken ct)
    {
        var minVersion = await cache.GetOrCreateAsync(Key(token.UserId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<NotifierDb>();
            return await db.AdminTokenRevocations.AsNoTracking().Where(r => r.UserId == token.UserId)
                .Select(r => (int?)r.MinVersion).SingleOrDefaultAsync(ct);
        });
        return token.Version < minVersion ? "the account's tokens were revoked" : null;
    }

    public void Forget(Guid userId) => cache.Remove(Key(userId));

    private static (string, Guid) Key(Guid userId) => ("admin-token-revocation", userId);
}
