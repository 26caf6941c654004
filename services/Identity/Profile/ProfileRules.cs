using SalesMind.Identity.Registration;

namespace SalesMind.Identity.Profile;

/// <summary>The editable part of an account: what the sign-up form asked besides name, address and password.</summary>
public sealed record ProfileValues(string Industry, string? SalesExperience, string? Purpose, string Locale);

/// <summary>
/// The profile's rules are the sign-up's, by construction: the edited fields are run through
/// <see cref="RegistrationRules"/> beside fixed sample account fields that pass it, so a rule
/// added to sign-up applies here too, with the same trimming and the same message keys.
/// </summary>
public static class ProfileRules
{
    /// <summary>The fields a profile edit may send, as they appear on the wire.</summary>
    public static readonly IReadOnlySet<string> Fields = new HashSet<string>(StringComparer.Ordinal)
    {
        "industry", "sales_experience", "purpose", "locale",
    };

    // Valid under every sign-up rule (a unit test holds them to it); only the profile's fields are judged.
    internal const string SampleUsername = "profile_rules_sample";
    internal const string SampleEmail = "profile-rules@example.com";
    internal const string SamplePassword = "Unrelated-Sample-4821-Lantern";

    /// <summary>
    /// The profile after applying <paramref name="given"/> to <paramref name="current"/>: with
    /// <paramref name="replace"/> (PUT) every field is the given one or sign-up's default when
    /// absent (no experience, no purpose, Japanese); otherwise (PATCH) only the given fields
    /// change. Null when a rule is broken; <paramref name="errors"/> then holds message keys by
    /// field (it may already hold the body's own problems, which are kept).
    /// </summary>
    public static ProfileValues? Apply(
        ProfileValues current, IReadOnlyDictionary<string, string?> given, bool replace, Dictionary<string, string> errors)
    {
        string? Pick(string field, string? now) => given.TryGetValue(field, out var value) ? value : replace ? null : now;

        var request = new RegisterRequest(
            SampleUsername, SampleEmail, SamplePassword,
            Pick("industry", current.Industry), Pick("sales_experience", current.SalesExperience),
            Pick("purpose", current.Purpose), Pick("locale", current.Locale));
        var broken = new Dictionary<string, string>(StringComparer.Ordinal);
        var valid = RegistrationRules.Validate(request, broken);
        foreach (var (field, key) in broken)
        {
            if (!Fields.Contains(field))
            {
                throw new InvalidOperationException($"The sample {field} no longer passes the sign-up rules ({key}).");
            }

            // A problem the body already had (a field that was not text) stays the one shown.
            errors.TryAdd(field, key);
        }

        return valid is null || errors.Count > 0 ? null : new(valid.Industry, valid.SalesExperience, valid.Purpose, valid.Locale);
    }
}
