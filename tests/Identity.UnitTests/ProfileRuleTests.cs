using SalesMind.Identity.Profile;
using SalesMind.Identity.Registration;

namespace SalesMind.Identity.UnitTests;

/// <summary>The profile is judged by the sign-up's own rules; PUT replaces, PATCH changes only what is sent.</summary>
public sealed class ProfileRuleTests
{
    private static readonly ProfileValues Current = new("software", "1_to_3_years", "Find customers", "en");

    private static (ProfileValues? Result, Dictionary<string, string> Errors) Apply(Dictionary<string, string?> given, bool replace)
    {
        var errors = new Dictionary<string, string>();
        return (ProfileRules.Apply(Current, given, replace, errors), errors);
    }

    [Fact]
    public void A_patch_changes_only_the_fields_sent_trimmed_as_at_sign_up()
    {
        var (result, errors) = Apply(new() { ["purpose"] = "  Close deals  ", ["sales_experience"] = null }, replace: false);

        Assert.Empty(errors);
        Assert.Equal(new ProfileValues("software", null, "Close deals", "en"), result);
    }

    [Fact]
    public void A_put_gives_the_fields_left_out_the_sign_ups_defaults()
    {
        var (result, errors) = Apply(new() { ["industry"] = "retail" }, replace: true);

        Assert.Empty(errors);
        Assert.Equal(new ProfileValues("retail", null, null, "ja"), result);
    }

    [Theory]
    [InlineData("industry", "", "industry.required")]
    [InlineData("industry", "shipping", "industry.invalid")]
    [InlineData("sales_experience", "forever", "sales_experience.invalid")]
    [InlineData("locale", "fr", "locale.invalid")]
    public void A_broken_rule_gives_the_sign_ups_key_for_the_same_value(string field, string value, string key)
    {
        var (result, errors) = Apply(new() { [field] = value }, replace: false);

        Assert.Null(result);
        Assert.Equal(key, Assert.Single(errors).Value);
        // What sign-up itself says about the same value.
        var signup = new Dictionary<string, string>();
        RegistrationRules.Validate(new RegisterRequest("someone", "someone@example.com", "Unrelated-Sample-4821",
            field == "industry" ? value : "software", field == "sales_experience" ? value : null, null, field == "locale" ? value : "ja"), signup);
        Assert.Equal(key, signup[field]);
    }

    [Fact]
    public void A_problem_the_body_already_had_stays_the_one_reported()
    {
        var errors = new Dictionary<string, string> { ["purpose"] = "field.invalid_text", ["nickname"] = "field.unknown" };

        var result = ProfileRules.Apply(Current, new Dictionary<string, string?> { ["purpose"] = null }, replace: false, errors);

        Assert.Null(result);
        Assert.Equal("field.invalid_text", errors["purpose"]);
        Assert.Equal("field.unknown", errors["nickname"]);
    }

    [Fact]
    public void The_audit_shows_only_the_changed_fields()
    {
        var (before, after) = ProfileEditor.Differences(Current, Current with { Industry = "retail", Purpose = null });

        Assert.Equal(new Dictionary<string, string?> { ["industry"] = "software", ["purpose"] = "Find customers" }, before);
        Assert.Equal(new Dictionary<string, string?> { ["industry"] = "retail", ["purpose"] = null }, after);
    }
}
