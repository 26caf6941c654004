using Microsoft.Extensions.Options;

namespace SalesMind.ServiceDefaults.Tests;

/// <summary>What a process that cannot go on prints: one line, its name and the reason.</summary>
public sealed class FatalErrorTests
{
    [Fact]
    public void A_refused_start_is_its_message_on_one_line()
    {
        var line = FatalErrors.Describe("SalesMind.Identity", new RefusedStartException("Refusing to start in Production with unsafe settings: A (env A) is missing."));

        Assert.Equal("SalesMind.Identity: Refusing to start in Production with unsafe settings: A (env A) is missing.", line);
    }

    [Fact]
    public void Options_failing_validation_at_start_are_one_line_too()
    {
        var ex = new OptionsValidationException("", typeof(object), ["Bounces:Domain must be a domain name,\ne.g. bounces.example.com.", "Smtp:Port is out of range."]);

        var line = FatalErrors.Describe("SalesMind.Notifier", ex);

        Assert.DoesNotContain('\n', line);
        Assert.Equal("SalesMind.Notifier: Bounces:Domain must be a domain name, e.g. bounces.example.com.; Smtp:Port is out of range.", line);
    }

    [Fact]
    public void Anything_else_says_what_it_was()
    {
        var line = FatalErrors.Describe("SalesMind.Notifier", new InvalidOperationException("Sequence contains\r\nno elements"));

        Assert.Equal("SalesMind.Notifier: stopped by an unhandled InvalidOperationException: Sequence contains no elements", line);
    }
}
