using Microsoft.EntityFrameworkCore;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Audit;
using SalesMind.Identity.Profile;
using SalesMind.Identity.Web;

namespace SalesMind.Identity.Admin;

public sealed partial class UserAdmin
{
    /// <summary>
    /// Applies the fields in <paramref name="given"/> to the account's profile with the owner's
    /// own rules (<see cref="ProfileRules.Apply"/>, the sign-up's rules and message keys): a field
    /// left out is kept, an optional one sent empty is cleared. Broken rules go to
    /// <paramref name="errors"/> (<see cref="AdminChange.Invalid"/>). The audit row holds only the
    /// fields that changed (none changed: no row). An account without a profile gets one, which
    /// needs an industry. Returns the profile as it is now.
    /// </summary>
    public async Task<(AdminChange Result, UserProfile? Profile)> UpdateProfileAsync(
        Guid actorId, Guid id, IReadOnlyDictionary<string, string?> given, Dictionary<string, string> errors, CancellationToken ct)
    {
        UserProfile? saved = null;
        var result = await ChangeAsync(actorId, id, async (actor, user, now) =>
        {
            if (user.DeletedAt is not null)
            {
                return AdminChange.Deleted;
            }

            var profile = await db.Profiles.SingleOrDefaultAsync(p => p.UserId == user.Id, ct);
            // Without a profile there is no industry to keep: the change must name one.
            var current = profile is null
                ? new ProfileValues("", null, null, Messages.DefaultLocale)
                : new ProfileValues(profile.Industry, profile.SalesExperience, profile.Purpose, profile.Locale);
            if (ProfileRules.Apply(current, given, replace: false, errors) is not { } next)
            {
                return AdminChange.Invalid;
            }

            if (profile is null)
            {
                profile = new UserProfile { UserId = user.Id, Industry = next.Industry, Locale = next.Locale };
                db.Profiles.Add(profile);
            }

            var before = new Dictionary<string, object?>();
            var after = new Dictionary<string, object?>();
            void Set<T>(string field, T now, T value, Action<T> apply)
            {
                if (!EqualityComparer<T>.Default.Equals(now, value))
                {
                    before[field] = now;
                    after[field] = value;
                    apply(value);
                }
            }

            Set("industry", current.Industry, next.Industry, v => profile.Industry = v);
            Set("sales_experience", current.SalesExperience, next.SalesExperience, v => profile.SalesExperience = v);
            Set("purpose", current.Purpose, next.Purpose, v => profile.Purpose = v);
            Set("locale", current.Locale, next.Locale, v => profile.Locale = v);
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
