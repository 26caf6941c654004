using Microsoft.EntityFrameworkCore;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Audit;

namespace SalesMind.Identity.Admin;

public sealed partial class UserAdmin
{
    /// <summary>
    /// Applies <paramref name="patch"/> to the account's profile; the audit row holds only the
    /// fields that changed (none changed: no row). An account without a profile gets one, which
    /// needs an industry. Returns the profile as it is now.
    /// </summary>
    public async Task<(AdminChange Result, UserProfile? Profile)> UpdateProfileAsync(Guid actorId, Guid id, ProfilePatch patch, CancellationToken ct)
    {
        UserProfile? saved = null;
        var result = await ChangeAsync(actorId, id, async (actor, user, now) =>
        {
            if (user.DeletedAt is not null)
            {
                return AdminChange.Deleted;
            }

            var profile = await db.Profiles.SingleOrDefaultAsync(p => p.UserId == user.Id, ct);
            if (profile is null)
            {
                if (!patch.HasIndustry)
                {
                    return AdminChange.NoProfile;
                }

                profile = new UserProfile { UserId = user.Id, Industry = patch.Industry!, Locale = patch.Locale ?? "ja" };
                db.Profiles.Add(profile);
            }

            var before = new Dictionary<string, object?>();
            var after = new Dictionary<string, object?>();
            void Set<T>(bool present, string field, T current, T value, Action<T> apply)
            {
                if (present && !EqualityComparer<T>.Default.Equals(current, value))
                {
                    before[field] = current;
                    after[field] = value;
                    apply(value);
                }
            }

            Set(patch.HasIndustry, "industry", profile.Industry, patch.Industry!, v => profile.Industry = v);
            Set(patch.HasSalesExperience, "sales_experience", profile.SalesExperience, patch.SalesExperience, v => profile.SalesExperience = v);
            Set(patch.HasPurpose, "purpose", profile.Purpose, patch.Purpose, v => profile.Purpose = v);
            Set(patch.HasLocale, "locale", profile.Locale, patch.Locale!, v => profile.Locale = v);
            if (after.Count > 0)
            {
                AccountAudit.Add(db, actor, user.Id, Actions.ProfileUpdated, before, after, now);
            }

            saved = profile;
            return AdminChange.Done;
        }, ct);
        return (result, result == AdminChange.Done ? saved : null);
    }
}
