using Microsoft.EntityFrameworkCore;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Audit;
using SalesMind.Identity.Data;

namespace SalesMind.Identity.Sessions;

/// <summary>
/// One of the owner's sessions as the account page lists it: an id of the row (never the token
/// or its hash, which are the credential), the device named from its User-Agent, where and when.
/// </summary>
public sealed record SessionView(
    Guid Id, string? Browser, string? Os, string Device, string? ClientAddress, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, bool Current);

/// <summary>
/// The owner's own sessions: the list, ending one, ending all but this one. Every statement is
/// bound to the signed-in account, so another account's session id behaves exactly like an
/// unknown one.
/// </summary>
public sealed partial class AccountSessions(IdentityDb db, TimeProvider time, ILogger<AccountSessions> log)
{
    /// <summary>The live sessions of the signed-in account, this one first, then the most recently seen.</summary>
    public async Task<IReadOnlyList<SessionView>> ListAsync(SignedIn me, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var rows = await db.Sessions.AsNoTracking()
            .Where(s => s.UserId == me.User.Id && s.ExpiresAt > now)
            .Select(s => new { s.Id, s.UserAgent, s.ClientAddress, s.CreatedAt, s.LastSeenAt })
            .ToListAsync(ct);
        return rows
            .Select(s =>
            {
                var device = DeviceNames.Describe(s.UserAgent);
                return new SessionView(s.Id, device.Browser, device.Os, device.ToString(), s.ClientAddress, s.CreatedAt, s.LastSeenAt, s.Id == me.Session.Id);
            })
            .OrderByDescending(s => s.Current).ThenByDescending(s => s.LastSeenAt).ThenByDescending(s => s.CreatedAt)
            .ToList();
    }

    /// <summary>Ends the owner's session <paramref name="sessionId"/>; false when the account has no such session.</summary>
    public async Task<bool> EndAsync(SignedIn me, Guid sessionId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var ended = await db.Sessions
            .Where(s => s.Id == sessionId && s.UserId == me.User.Id)
            .Select(s => new { s.UserAgent, s.ClientAddress })
            .SingleOrDefaultAsync(ct);
        // Bound to the account in the statement itself: someone else's id deletes nothing.
        if (ended is null || await db.Sessions.Where(s => s.Id == sessionId && s.UserId == me.User.Id).ExecuteDeleteAsync(ct) == 0)
        {
            return false;
        }

        AccountAudit.Add(db, me.User, me.User.Id, "session.ended",
            new { session = sessionId, device = DeviceNames.Describe(ended.UserAgent).ToString(), client_address = ended.ClientAddress }, null, now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        LogEnded(log, me.User.Id, 1);
        return true;
    }

    /// <summary>"Sign out everywhere else": ends every session of the account but this one; returns how many.</summary>
    public async Task<int> EndOthersAsync(SignedIn me, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var count = await EndOthersAsync(db, me.User.Id, me.Session.Id, ct);
        if (count > 0)
        {
            AccountAudit.Add(db, me.User, me.User.Id, "sessions.ended_others", null, new { sessions_ended = count }, now);
            await db.SaveChangesAsync(ct);
        }

        await tx.CommitAsync(ct);
        LogEnded(log, me.User.Id, count);
        return count;
    }

    /// <summary>Deletes every session of <paramref name="userId"/> but <paramref name="keep"/>, in the caller's transaction.</summary>
    public static Task<int> EndOthersAsync(IdentityDb db, Guid userId, Guid keep, CancellationToken ct) =>
        db.Sessions.Where(s => s.UserId == userId && s.Id != keep).ExecuteDeleteAsync(ct);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} ended {Count} of their sessions")]
    private static partial void LogEnded(ILogger logger, Guid userId, int count);
}
