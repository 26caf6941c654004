using SalesMind.Notifier.Admin;

namespace SalesMind.Notifier.UnitTests;

/// <summary>The delivery search's recipient: a whole address, a prefix or a domain.</summary>
public sealed class RecipientFilterTests
{
    [Theory]
    [InlineData("Hanako@Example.com", RecipientMatch.Address, "hanako@example.com")]
    [InlineData(" hanako* ", RecipientMatch.Prefix, "hanako")]
    [InlineData("hanako@ex*", RecipientMatch.Prefix, "hanako@ex")]
    [InlineData("@Example.COM", RecipientMatch.Domain, "example.com")]
    public void Each_form_is_read_in_lower_case(string input, RecipientMatch match, string value) =>
        Assert.Equal(new RecipientFilter(match, value), RecipientFilter.Parse(input).Filter);

    [Theory]
    [InlineData("*", "at least one character before *")]
    [InlineData("ha*ko", "* only at its end")]
    [InlineData("*@example.com", "* only at its end")]
    [InlineData("@", "is not a domain")]
    [InlineData("@a@b", "is not a domain")]
    [InlineData("@example*", "is not a domain")]
    public void A_malformed_search_says_what_to_write(string input, string message)
    {
        var (filter, error) = RecipientFilter.Parse(input);

        Assert.Null(filter);
        Assert.Contains(message, error);
        Assert.Contains("@example.com", error);
    }

    [Fact]
    public void An_address_longer_than_an_address_can_be_is_refused() =>
        Assert.Contains("254", RecipientFilter.Parse(new string('a', 250) + "@b.example").Error);

    [Theory]
    [InlineData("a_b*", @"a\_b%")]
    [InlineData("100%*", @"100\%%")]
    [InlineData(@"a\b*", @"a\\b%")]
    [InlineData("hanako*", "hanako%")]
    public void Like_wildcards_in_a_prefix_match_only_themselves(string input, string pattern) =>
        Assert.Equal(pattern, RecipientFilter.Parse(input).Filter!.LikePattern());
}
