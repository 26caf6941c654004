using Microsoft.Extensions.Configuration;

namespace SalesMind.ServiceDefaults.Tests;

/// <summary>Outside Development a public name still at its documentation example stops the service, named like a secret.</summary>
public sealed class ExampleNameTests
{
    [Theory]
    [InlineData("example.com")]
    [InlineData("app.example.com")]
    [InlineData("APP.Example.COM.")]
    [InlineData("example.net")]
    [InlineData("bounces.example.org")]
    [InlineData("check.example")]
    [InlineData("example")]
    [InlineData("smtp.invalid")]
    public void Names_reserved_for_documentation_are_examples(string host) => Assert.True(ExampleNames.IsExample(host));

    [Theory]
    [InlineData("salesmind.test")]
    [InlineData("mail.test")]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("notexample.com")]
    [InlineData("example.com.au")]
    [InlineData("example.co")]
    [InlineData("examples.org")]
    [InlineData("salesmind.example.io")]
    public void Real_names_and_the_test_domains_are_not(string host) => Assert.False(ExampleNames.IsExample(host));

    [Theory]
    [InlineData(PublicNameKind.Url, "https://App.Example.com:8443/path", "app.example.com")]
    [InlineData(PublicNameKind.Url, "http://127.0.0.1:8080", "127.0.0.1")]
    [InlineData(PublicNameKind.Url, "not a url", null)]
    [InlineData(PublicNameKind.EmailAddress, "no-reply@Example.com", "example.com")]
    [InlineData(PublicNameKind.EmailAddress, "no-reply", null)]
    [InlineData(PublicNameKind.Domain, " bounces.example.com. ", "bounces.example.com")]
    [InlineData(PublicNameKind.Domain, "", null)]
    public void The_host_is_read_from_what_the_setting_holds(PublicNameKind kind, string value, string? host) =>
        Assert.Equal(host, new PublicName("X:Y", kind).HostOf(value));

    [Fact]
    public void Each_example_name_is_named_with_its_setting_and_environment_variable()
    {
        var configuration = Configuration(new()
        {
            ["Identity:PublicBaseUrl"] = "https://app.example.com",
            ["Mail:FromAddress"] = "no-reply@example.com",
            ["Bounces:Domain"] = "bounces.example.com",
        });

        var problems = ProductionSecrets.PublicNameProblems(configuration,
            [PublicName.Url("Identity:PublicBaseUrl"), PublicName.EmailAddress("Mail:FromAddress"), PublicName.Domain("Bounces:Domain")]);

        Assert.Equal(
        [
            "Identity:PublicBaseUrl (env Identity__PublicBaseUrl) is still an example name (app.example.com)",
            "Mail:FromAddress (env Mail__FromAddress) is still an example name (example.com)",
            "Bounces:Domain (env Bounces__Domain) is still an example name (bounces.example.com)",
        ], problems);
    }

    [Fact]
    public void Own_names_the_local_defaults_and_unset_names_pass()
    {
        var configuration = Configuration(new()
        {
            ["Identity:PublicBaseUrl"] = "https://app.salesmind.jp",
            ["Mail:FromAddress"] = "no-reply@salesmind.test",
        });

        Assert.Empty(ProductionSecrets.PublicNameProblems(configuration,
            [PublicName.Url("Identity:PublicBaseUrl"), PublicName.EmailAddress("Mail:FromAddress"), PublicName.Domain("Bounces:Domain")]));
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
