using SalesMind.Identity.Admin;

namespace SalesMind.Identity.UnitTests;

/// <summary>An admin's profile change: the sign-up's rules and message keys, and what is kept, changed or cleared.</summary>
public sealed class ProfilePatchTests
{
    private static (ProfilePatch? Patch, Dictionary<string, string> Errors) Validate(params (string Field, string? Value)[] fields)
    {
        var errors = new Dictionary<string, string>();
        return (ProfilePatch.Validate(fields.ToDictionary(f => f.Field, f => f.Value), errors), errors);
    }

    [Theory]
    [InlineData("industry", "", "industry.required")]
    [InlineData("industry", null, "industry.required")]
    [InlineData("industry", "farming", "industry.invalid")]
    [InlineData("sales_experience", "forever", "sales_experience.invalid")]
    [InlineData("locale", "fr", "locale.invalid")]
    [InlineData("locale", "", "locale.invalid")]
    public void A_value_the_sign_up_would_refuse_is_refused_with_the_sign_ups_message_key(string field, string? value, string key)
    {
        var (patch, errors) = Validate((field, value));

        Assert.Null(patch);
        Assert.Equal(key, errors[field]);
    }

    [Fact]
    public void The_purpose_counts_without_its_surrounding_spaces_up_to_the_sign_ups_limit()
    {
        Assert.NotNull(Validate(("purpose", "  " + new string('x', 500) + "  ")).Patch);
        Assert.Equal("purpose.length", Validate(("purpose", new string('x', 501))).Errors["purpose"]);
    }

    [Fact]
    public void Fields_left_out_are_kept_and_empty_optional_ones_are_cleared()
    {
        var (patch, errors) = Validate(("industry", " retail "), ("purpose", "   "), ("sales_experience", null));

        Assert.Empty(errors);
        Assert.Equal(new ProfilePatch(true, "retail", true, null, true, null, false, null), patch);
    }

    [Theory]
    [InlineData("ＡＬＩＣＥ", "alice")]
    [InlineData("  Hanako@Example.COM ", "hanako@example.com")]
    public void A_search_is_compared_in_the_form_names_and_addresses_are_stored_in(string typed, string key)
    {
        Assert.Equal(key, UserAdmin.SearchKey(typed));
    }
}
