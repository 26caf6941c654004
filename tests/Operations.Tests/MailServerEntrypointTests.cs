namespace SalesMind.Operations.Tests;

/// <summary>
/// The mail server container refuses to start while MAIL_DOMAIN, MAIL_HOSTNAME or BOUNCE_DOMAIN
/// is still an example name (.env.example's example.com), naming the variable. Its entrypoint is
/// run here in `configure` mode, which checks the names first (no Postfix needed for that).
/// </summary>
public sealed class MailServerEntrypointTests
{
    private static readonly Dictionary<string, string> OwnNames = new()
    {
        ["MAIL_DOMAIN"] = "salesmind.test",
        ["MAIL_HOSTNAME"] = "mail.salesmind.test",
        ["BOUNCE_DOMAIN"] = "bounces.salesmind.test",
    };

    [Theory]
    [InlineData("MAIL_DOMAIN", "example.com")]
    [InlineData("MAIL_HOSTNAME", "mail.example.com")]
    [InlineData("BOUNCE_DOMAIN", "bounces.example.com")]
    [InlineData("MAIL_DOMAIN", "Example.ORG.")]
    [InlineData("MAIL_HOSTNAME", "mail.check.example")]
    [InlineData("BOUNCE_DOMAIN", "bounces.invalid")]
    public async Task An_example_name_is_refused_naming_its_variable(string variable, string value)
    {
        var result = await Shell.RunAsync("mailserver/entrypoint.sh", ["configure", "/nonexistent"], new Dictionary<string, string>(OwnNames) { [variable] = value });

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains($"{variable} is still an example name ({value})", result.Output);
    }

    [Fact]
    public async Task Own_and_test_names_pass_the_check()
    {
        // Past the names, configure stops at the missing directory: proof the names were accepted.
        var result = await Shell.RunAsync("mailserver/entrypoint.sh", ["configure", "/nonexistent"],
            new Dictionary<string, string>(OwnNames) { ["MAIL_DOMAIN"] = "example.com.au" });

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("usage: entrypoint.sh configure", result.Output);
        Assert.DoesNotContain("example name", result.Output);
    }
}
