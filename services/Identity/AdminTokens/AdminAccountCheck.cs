using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using SalesMind.Identity.Data;
using SalesMind.ServiceDefaults;

namespace SalesMind.Identity.AdminTokens;

/// <summary>
/// Identity's per-request check of a validly signed admin token: the account exists, is active,
/// is still an admin and has not moved to a newer token version. Remembered for two seconds so a
/// busy admin page is not one extra query per call; a change made here is forgotten at once.
/// </summary>
public sealed class AdminAccountCheck(IServiceScopeFactory scopes, IMemoryCache cache) : IAdminTokenCheck
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);

    private sealed record Account(bool IsActive, bool IsAdmin, int TokenVersion);

    public async Task<string?> RejectAsync(AdminTokenClaims token, CancellationToken ct)
    {
        var account = await cache.GetOrCreateAsync(Key(token.UserId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IdentityDb>();
            return await db.Users.AsNoTracking().Where(u => u.Id == token.UserId)
                .Select(u => new Account(u.IsActive, u.Roles.Contains(AdminAuth.AdminRole), u.TokenVersion))
                .SingleOrDefaultAsync(ct);
        });
        return account switch
        {
            null => "the account no longer exists",
            { IsActive: false } => "the account is deactivated",
            // A token without the role is refused by the policy (403); one that claims it must still be right.
            { IsAdmin: false } when token.ClaimsAdmin => "the account is no longer an admin",
            _ when account.TokenVersion != token.Version => "the account's tokens were revoked",
            _ => null,
        };
    }

    /// <summary>Call after committing a change to the account, so this instance sees it at the next request.</summary>
    public void Forget(Guid userId) => cache.Remove(Key(userId));

    private static (string, Guid) Key(Guid userId) => ("admin-account", userId);
}
