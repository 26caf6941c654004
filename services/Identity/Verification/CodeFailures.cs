using Microsoft.EntityFrameworkCore;
using SalesMind.Identity.Data;

namespace SalesMind.Identity.Verification;

/// <summary>
/// Wrong verification codes typed for one address, kept in <c>login_failures</c> under
/// <c>code:&lt;normalized address&gt;</c> for every address alike, with an account or not: the
/// answer to a wrong code is chosen from this count only, so it says nothing about accounts. It
/// is forgotten after <c>Identity:LockoutDuration</c> without a wrong code, on success, and when a
/// new email is asked for (whether or not one goes out).
/// </summary>
public static class CodeFailures
{
    public static string KeyOf(string normalizedEmail) => "code:" + normalizedEmail;

    /// <summary>Wrong codes for the address in the current window.</summary>
    public static Task<int> CountAsync(IdentityDb db, string normalizedEmail, DateTimeOffset now, TimeSpan window, CancellationToken ct) =>
        db.LoginFailures
            .Where(f => f.Key == KeyOf(normalizedEmail) && f.LastAttemptAt > now - window)
            .Select(f => f.Failures)
            .FirstOrDefaultAsync(ct);

    /// <summary>Counts one more wrong code (a count older than the window starts again); returns the new count.</summary>
    public static async Task<int> AddAsync(IdentityDb db, string normalizedEmail, DateTimeOffset now, TimeSpan window, CancellationToken ct)
    {
        var key = KeyOf(normalizedEmail);
        var forgetBefore = now - window;
        // One atomic statement: concurrent wrong codes for one address each count.
        var counts = await db.Database.SqlQuery<int>($"""
            INSERT INTO login_failures AS f (key, failures, last_attempt_at, locked_until)
            VALUES ({key}, 1, {now}, NULL)
            ON CONFLICT (key) DO UPDATE
               SET failures = CASE WHEN f.last_attempt_at <= {forgetBefore} THEN 1 ELSE f.failures + 1 END,
                   last_attempt_at = {now}
            RETURNING f.failures AS "Value"
            """).ToListAsync(ct);
        return counts.Single();
    }

    public static Task ForgetAsync(IdentityDb db, string normalizedEmail, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"DELETE FROM login_failures WHERE key = {KeyOf(normalizedEmail)}", ct);
}
