using SalesMind.Identity.Accounts;
using SalesMind.Identity.Registration;
using SalesMind.Identity.Web;

namespace SalesMind.Identity.Admin;

/// <summary>
/// An admin's change to a profile, checked with the sign-up's rules and message keys (the same
/// sentences the sign-up form shows, <see cref="Messages.FieldRuleTexts"/>). A field left out is
/// kept; <c>sales_experience</c> and <c>purpose</c> sent empty or null are cleared; industry and
/// language cannot be cleared.
/// </summary>
public sealed record ProfilePatch(
    bool HasIndustry, string? Industry,
    bool HasSalesExperience, string? SalesExperience,
    bool HasPurpose, string? Purpose,
    bool HasLocale, string? Locale)
{
    /// <summary>The field names a client may send, as they appear on the wire.</summary>
    public static readonly IReadOnlySet<string> Fields = new HashSet<string>(StringComparer.Ordinal)
    {
        "industry", "sales_experience", "purpose", "locale",
    };

    /// <summary>The patch, trimmed, or null with the broken rules' message keys added to <paramref name="errors"/>.</summary>
    public static ProfilePatch? Validate(IReadOnlyDictionary<string, string?> values, Dictionary<string, string> errors)
    {
        string? Read(string name) => values.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        var industry = Read("industry");
        var experience = Read("sales_experience");
        var purpose = Read("purpose");
        var locale = Read("locale");

        if (values.ContainsKey("industry"))
        {
            if (industry is null)
            {
                errors.TryAdd("industry", "industry.required");
            }
            else if (!Catalog.IsIndustry(industry))
            {
                errors.TryAdd("industry", "industry.invalid");
            }
        }

        if (experience is not null && !Catalog.IsSalesExperience(experience))
        {
            errors.TryAdd("sales_experience", "sales_experience.invalid");
        }

        if (purpose is not null && purpose.Length > FieldRules.PurposeMax)
        {
            errors.TryAdd("purpose", "purpose.length");
        }

        if (values.ContainsKey("locale") && (locale is null || !Messages.Locales.Contains(locale)))
        {
            errors.TryAdd("locale", "locale.invalid");
        }

        return errors.Count > 0
            ? null
            : new ProfilePatch(
                values.ContainsKey("industry"), industry,
                values.ContainsKey("sales_experience"), experience,
                values.ContainsKey("purpose"), purpose,
                values.ContainsKey("locale"), locale);
    }
}
