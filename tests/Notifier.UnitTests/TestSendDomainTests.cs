using SalesMind.Notifier.Admin;

namespace SalesMind.Notifier.UnitTests;

/// <summary>Where an admin's test send may go: the named domains exactly, subdomains only where a <c>*.</c> entry asks for them.</summary>
public sealed class TestSendDomainTests
{
    private static readonly TestSendOptions Options = new() { TestSendAllowedDomains = ["mail.test", "*.reject.test", " @Example.com "] };

    [Theory]
    [InlineData("a@mail.test", true)]
    [InlineData("a@MAIL.TEST", true)]
    [InlineData("a@example.com", true)]
    [InlineData("a@x.reject.test", true)]
    [InlineData("a@deep.x.reject.test", true)]
    [InlineData("a@sub.mail.test", false)]
    [InlineData("a@reject.test", false)]
    [InlineData("a@evilreject.test", false)]
    [InlineData("a@reject.test.evil.com", false)]
    [InlineData("a@.reject.test", false)]
    [InlineData("a@mail.test.evil.com", false)]
    [InlineData("a@other.test", false)]
    public void Only_named_domains_and_asked_for_subdomains_are_allowed(string to, bool allowed) =>
        Assert.Equal(allowed, Options.Allows(to, own: null));

    [Fact]
    public void The_admins_own_address_is_always_allowed() =>
        Assert.True(Options.Allows("me@anywhere.example", own: " Me@Anywhere.example "));
}
