using Microsoft.EntityFrameworkCore;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Audit;
using SalesMind.Identity.Data;
using SalesMind.Identity.Sessions;
using SalesMind.Identity.Web;

namespace SalesMind.Identity.Profile;

/// <summary>Reading and changing the signed-in owner's profile; every change is audited with its before and after.</summary>
public sealed partial class ProfileEditor(IdentityDb db, TimeProvider time, ILogger<ProfileEditor> log)
{
    public static ProfileValues Of(UserProfile? profile) => profile is null
        ? new("", null, null, Messages.DefaultLocale)
        : new(profile.Industry, profile.SalesExperience, profile.Purpose, profile.Locale);

    /// <summary>
    /// Applies <paramref name="given"/> (see <see cref="ProfileRules.Apply"/>) under a lock on the
    /// profile row, so concurrent edits are applied one after the other and each audit entry's
    /// "before" is what that edit really replaced. Null when a rule is broken (<paramref name="errors"/>).
    /// </summary>
    public async Task<ProfileValues?> UpdateAsync(
        SignedIn me, IReadOnlyDictionary<string, string?> given, bool replace, Dictionary<string, string> errors, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var profile = await db.Profiles.FromSql($"SELECT * FROM user_profiles WHERE user_id = {me.User.Id} FOR UPDATE").SingleOrDefaultAsync(ct);
        // Read once the lock is held: the audit entries of concurrent edits are then in the order they were applied.
        var now = time.GetUtcNow();
        var before = Of(profile);
        var after = ProfileRules.Apply(before, given, replace, errors);
        if (after is null)
        {
            return null;
        }

        var (old, changed) = Differences(before, after);
        if (changed.Count == 0)
        {
            return after;
        }

        if (profile is null)
        {
            profile = new UserProfile { UserId = me.User.Id, Industry = after.Industry, Locale = after.Locale };
            db.Profiles.Add(profile);
        }

        profile.Industry = after.Industry;
        profile.SalesExperience = after.SalesExperience;
        profile.Purpose = after.Purpose;
        profile.Locale = after.Locale;
        AccountAudit.Add(db, me.User, me.User.Id, "profile.updated", old, changed, now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        LogUpdated(log, me.User.Id, string.Join(",", changed.Keys));
        return after;
    }

    /// <summary>The changed fields only, by their wire names: before and after.</summary>
    public static (Dictionary<string, string?> Before, Dictionary<string, string?> After) Differences(ProfileValues before, ProfileValues after)
    {
        var old = new Dictionary<string, string?>(StringComparer.Ordinal);
        var changed = new Dictionary<string, string?>(StringComparer.Ordinal);
        void Compare(string field, string? a, string? b)
        {
            if (!string.Equals(a, b, StringComparison.Ordinal))
            {
                old[field] = a;
                changed[field] = b;
            }
        }

        Compare("industry", before.Industry, after.Industry);
        Compare("sales_experience", before.SalesExperience, after.SalesExperience);
        Compare("purpose", before.Purpose, after.Purpose);
        Compare("locale", before.Locale, after.Locale);
        return (old, changed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} changed their profile ({Fields})")]
    private static partial void LogUpdated(ILogger logger, Guid userId, string fields);
}
