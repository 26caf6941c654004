using SalesMind.Identity.Admin;
using SalesMind.Identity.Profile;

namespace SalesMind.Identity.UnitTests;

/// <summary>
/// An admin's profile change goes through the owner's rules (<see cref="ProfileRules.Apply"/>,
/// the sign-up's rules and message keys) as a PATCH: what is kept, changed or cleared.
/// </summary>
public sealed class AdminProfileRuleTests
{
    private static readonly ProfileValues Current = new("software", "1_to_3_years", "Find customers", "ja");

    private static (ProfileValues? Next, Dictionary<string, string> Errors) Patch(ProfileValues current, params (string Field, string? Value)[] fields)
    {
        var errors = new Dictionary<string, string>();
        return (ProfileRules.Apply(current, fields.ToDictionary(f => f.Field, f => f.Value), replace: false, errors), errors);
    }

    [Theory]
    [InlineData("industry", "", "industry.required")]
    [InlineData("industry", null, "industry.required")]
    [InlineData("industry", "farming", "industry.invalid")]
    [InlineData("sales_experience", "forever", "sales_experience.invalid")]
    [InlineData("locale", "fr", "locale.invalid")]
    public void A_value_the_sign_up_would_refuse_is_refused_with_the_sign_ups_message_key(string field, string? value, string key)
    {
        var (next, errors) = Patch(Current, (field, value));

        Assert.Null(next);
        Assert.Equal(key, errors[field]);
    }

    [Fact]
    public void Fields_left_out_are_kept_and_empty_optional_ones_are_cleared()
    {
        var (next, errors) = Patch(Current, ("industry", " retail "), ("purpose", "   "), ("sales_experience", null));

        Assert.Empty(errors);
        Assert.Equal(new ProfileValues("retail", null, null, "ja"), next);
    }

    [Fact]
    public void An_account_without_a_profile_needs_the_industry_named()
    {
        var none = new ProfileValues("", null, null, "ja");

        Assert.Equal("industry.required", Patch(none, ("purpose", "x")).Errors["industry"]);
        Assert.Equal(new ProfileValues("retail", null, null, "ja"), Patch(none, ("industry", "retail")).Next);
    }

    [Theory]
    [InlineData("ＡＬＩＣＥ", "alice")]
    [InlineData("  Hanako@Example.COM ", "hanako@example.com")]
    public void A_search_is_compared_in_the_form_names_and_addresses_are_stored_in(string typed, string key)
    {
        Assert.Equal(key, UserAdmin.SearchKey(typed));
    }
}
