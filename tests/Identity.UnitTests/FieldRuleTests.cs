using SalesMind.Identity.Accounts;
using SalesMind.Identity.Registration;
using SalesMind.Identity.Web;

namespace SalesMind.Identity.UnitTests;

/// <summary>The account fields' rules and the sign-up form's, without any service.</summary>
public sealed class FieldRuleTests
{
    [Theory]
    [InlineData("Alice", "alice", false)]
    [InlineData("  ＡＬＩＣＥ ", "alice", false)]
    [InlineData("Alice@Mail.Test", "alice@mail.test", true)]
    [InlineData("alice＠mail.test", "alice@mail.test", true)]
    public void An_identifier_with_an_at_sign_is_an_address_and_nothing_else(string identifier, string normalized, bool isEmail)
    {
        Assert.Equal(new AccountLookup.Identifier(normalized, isEmail), AccountLookup.Parse(identifier));
    }

    [Theory]
    [InlineData("alice", null)]
    [InlineData("a.b+c-d_e", null)]
    [InlineData("alice@mail.test", "username.at")]
    [InlineData("@@@", "username.at")]
    [InlineData("has space", "username.chars")]
    [InlineData("ab", "username.length")]
    [InlineData("", "username.required")]
    public void A_username_may_not_be_shaped_like_an_address(string username, string? problem)
    {
        Assert.Equal(problem, FieldRules.UsernameProblem(username));
    }

    [Fact]
    public void Usernames_are_compared_in_NFKC_so_full_width_letters_are_the_same_name()
    {
        Assert.Equal("ABC", FieldRules.NormalizeUsername("  ＡＢＣ "));
        Assert.Equal("abc", FieldRules.NormalizedUsernameKey(FieldRules.NormalizeUsername("ＡＢＣ")));
    }

    [Theory]
    [InlineData("person@mail.test", true)]
    [InlineData("first.last+tag@sub.mail.test", true)]
    [InlineData("x <person@mail.test>", false)]
    [InlineData("person@mail.test (x)", false)]
    [InlineData("person@localhost", false)]
    [InlineData(".person@mail.test", false)]
    [InlineData("per..son@mail.test", false)]
    [InlineData("person.@mail.test", false)]
    [InlineData("", false)]
    public void Only_a_bare_address_is_an_address(string email, bool valid)
    {
        Assert.Equal(valid, FieldRules.IsEmail(email));
    }

    [Fact]
    public void Addresses_longer_than_the_limits_are_refused()
    {
        Assert.False(FieldRules.IsEmail(new string('a', 65) + "@mail.test"));
        Assert.True(FieldRules.IsEmail(new string('a', 64) + "@mail.test"));
        Assert.False(FieldRules.IsEmail("a@" + new string('b', FieldRules.EmailMax) + ".test"));
    }

    [Fact]
    public void Addresses_are_compared_trimmed_and_in_lower_case()
    {
        Assert.Equal("person@mail.test", FieldRules.NormalizeEmail("  Person@MAIL.Test "));
    }

    [Theory]
    [InlineData("", "alice", "password.required")]
    [InlineData("short1!", "alice", "password.short")]
    [InlineData("12345678901", "alice", "password.numeric")]
    [InlineData("password", "alice", "password.common")]
    [InlineData("alicealice1", "alice", "password.similar")]
    [InlineData("Tr0ub4dor&3-horse", "alice", null)]
    public void Password_rules_give_the_first_rule_broken(string password, string username, string? problem)
    {
        Assert.Equal(problem, FieldRules.PasswordProblem(password, username));
    }

    [Fact]
    public void A_password_over_the_maximum_is_refused()
    {
        Assert.Equal("password.long", FieldRules.PasswordProblem(new string('x', FieldRules.PasswordMax + 1) + "Q1", "alice"));
        Assert.Null(FieldRules.PasswordProblem("Qz" + new string('x', FieldRules.PasswordMax - 4) + "9!", "alice"));
    }

    [Fact]
    public void A_valid_sign_up_is_trimmed_and_normalized_and_each_broken_field_gets_its_key()
    {
        var errors = new Dictionary<string, string>();
        var valid = RegistrationRules.Validate(
            new RegisterRequest(" Ａlice ", " Alice@Mail.Test ", "Tr0ub4dor&3-horse", "software", " ", null, "en"), errors);

        Assert.Empty(errors);
        Assert.Equal(new ValidRegistration("Alice", "alice", "Alice@Mail.Test", "alice@mail.test", "Tr0ub4dor&3-horse", "software", null, null, "en"), valid);

        errors.Clear();
        Assert.Null(RegistrationRules.Validate(new RegisterRequest("", "nope", "", "mining", "forever", new string('p', 501), "fr"), errors));
        Assert.Equal(new Dictionary<string, string>
        {
            ["username"] = "username.required",
            ["email"] = "email.invalid",
            ["password"] = "password.required",
            ["industry"] = "industry.invalid",
            ["sales_experience"] = "sales_experience.invalid",
            ["purpose"] = "purpose.length",
            ["locale"] = "locale.invalid",
        }, errors);
    }

    [Fact]
    public void Every_key_a_rule_can_give_has_a_message_in_both_languages()
    {
        foreach (var key in Messages.FieldRuleTexts.Keys.Concat(Messages.RequestTexts.Keys))
        {
            Assert.False(string.IsNullOrWhiteSpace(Messages.Get(key, "ja")), key);
            Assert.False(string.IsNullOrWhiteSpace(Messages.Get(key, "en")), key);
            Assert.NotEqual(Messages.Get(key, "ja"), Messages.Get(key, "en"));
        }
    }

    [Theory]
    [InlineData(null, "ja")]
    [InlineData(" en ", "en")]
    [InlineData("fr", "ja")]
    public void The_answer_is_in_the_requested_language_if_supported_else_Japanese(string? requested, string locale)
    {
        Assert.Equal(locale, Messages.LocaleOf(requested));
    }
}
