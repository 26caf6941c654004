using SalesMind.Identity.Accounts;
using SalesMind.Identity.Web;

namespace SalesMind.Identity.Registration;

/// <summary>A sign-up that passed every rule, trimmed and normalized.</summary>
public sealed record ValidRegistration(
    string Username,
    string NormalizedUsername,
    string Email,
    string NormalizedEmail,
    string Password,
    string Industry,
    string? SalesExperience,
    string? Purpose,
    string Locale);

/// <summary>The sign-up form's rules: the account fields' (<see cref="FieldRules"/>) and the profile's.</summary>
public static class RegistrationRules
{
    public static ValidRegistration? Validate(RegisterRequest request, Dictionary<string, string> errors)
    {
        var username = FieldRules.NormalizeUsername(request.Username);
        var email = request.Email?.Trim() ?? "";
        var password = request.Password ?? "";
        var industry = request.Industry?.Trim() ?? "";
        var experience = string.IsNullOrWhiteSpace(request.SalesExperience) ? null : request.SalesExperience.Trim();
        var purpose = string.IsNullOrWhiteSpace(request.Purpose) ? null : request.Purpose.Trim();
        var locale = string.IsNullOrWhiteSpace(request.Locale) ? Messages.DefaultLocale : request.Locale.Trim();

        void Fail(string field, string key) => errors.TryAdd(field, key);

        if (FieldRules.UsernameProblem(username) is { } usernameProblem)
        {
            Fail("username", usernameProblem);
        }

        if (email.Length == 0)
        {
            Fail("email", "email.required");
        }
        else if (!FieldRules.IsEmail(email))
        {
            Fail("email", "email.invalid");
        }

        if (FieldRules.PasswordProblem(password, username) is { } passwordProblem)
        {
            Fail("password", passwordProblem);
        }

        if (industry.Length == 0)
        {
            Fail("industry", "industry.required");
        }
        else if (!Catalog.IsIndustry(industry))
        {
            Fail("industry", "industry.invalid");
        }

        if (experience is not null && !Catalog.IsSalesExperience(experience))
        {
            Fail("sales_experience", "sales_experience.invalid");
        }

        if (purpose is not null && purpose.Length > FieldRules.PurposeMax)
        {
            Fail("purpose", "purpose.length");
        }

        if (!Messages.Locales.Contains(locale))
        {
            Fail("locale", "locale.invalid");
        }

        if (errors.Count > 0)
        {
            return null;
        }

        return new ValidRegistration(
            username, FieldRules.NormalizedUsernameKey(username), email, FieldRules.NormalizeEmail(email), password,
            industry, experience, purpose, locale);
    }
}
