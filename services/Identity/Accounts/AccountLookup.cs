using System.Text;
using Microsoft.EntityFrameworkCore;

namespace SalesMind.Identity.Accounts;

/// <summary>
/// Finds the account a person means by "username or email address". Anything with an <c>@</c> is
/// an address and only an address: usernames may not contain <c>@</c> (older ones might), so a
/// username shaped like someone's address can never stand in for that address, and each branch
/// matches one unique column, so there is never more than one answer.
/// </summary>
public static class AccountLookup
{
    public sealed record Identifier(string Normalized, bool IsEmail);

    /// <summary>
    /// NFKC first, as usernames are stored in that form (and so a full-width <c>＠</c> is an
    /// <c>@</c> too, not a way back to the username branch), then lower case.
    /// </summary>
    public static Identifier Parse(string identifier)
    {
        var trimmed = identifier.Trim();
        try
        {
            trimmed = trimmed.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            // Not valid Unicode: it matches nothing either way.
        }

        var normalized = trimmed.ToLowerInvariant();
        return new Identifier(normalized, normalized.Contains('@', StringComparison.Ordinal));
    }

    /// <summary>The accounts <paramref name="identifier"/> names: none or one.</summary>
    public static IQueryable<User> Matching(this IQueryable<User> users, string identifier)
    {
        var (normalized, isEmail) = Parse(identifier);
        return isEmail
            ? users.Where(u => u.NormalizedEmail == normalized)
            : users.Where(u => u.NormalizedUsername == normalized);
    }

    /// <summary>
    /// The one account <paramref name="identifier"/> names, or null. Never throws on rows that
    /// break the one-answer rule: two matches mean nobody can be sure which account was meant,
    /// so neither is chosen (a login then fails like any unknown name, never with a 500).
    /// </summary>
    public static async Task<User?> FindByIdentifierAsync(this IQueryable<User> users, string identifier, CancellationToken ct) =>
        await users.Matching(identifier).OrderBy(u => u.Id).Take(2).ToListAsync(ct) is [var user] ? user : null;
}
