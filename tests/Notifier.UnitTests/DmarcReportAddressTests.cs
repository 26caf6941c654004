using System.ComponentModel.DataAnnotations;
using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.UnitTests;

/// <summary>The DMARC report address (Bounces:DmarcReportAddress): a plain local part at the bounce domain, never a return path's name.</summary>
public sealed class DmarcReportAddressTests
{
    private static List<ValidationResult> Problems(string address)
    {
        var options = new BounceOptions { SigningKey = "a-test-key-for-return-paths-0123456789", Domain = "bounces.example.test", DmarcReportAddress = address };
        var errors = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true);
        return errors;
    }

    [Theory]
    [InlineData("dmarc")]
    [InlineData("dmarc-reports")]
    [InlineData("rua.2026")]
    public void A_plain_local_part_is_taken_and_makes_the_address_at_the_bounce_domain(string address)
    {
        Assert.Empty(Problems(address));
        Assert.Equal($"{address}@bounces.example.test", new BounceOptions { Domain = "bounces.example.test", DmarcReportAddress = address }.DmarcReportMailbox);
    }

    [Theory]
    [InlineData("")]
    [InlineData("bounces")]
    [InlineData("bounces+x")]
    [InlineData("dmarc@example.com")]
    [InlineData("DMARC")]
    [InlineData("dmarc ")]
    [InlineData("-dmarc")]
    public void Anything_else_stops_the_start_naming_the_key(string address) =>
        Assert.Contains(Problems(address), e => e.ErrorMessage!.StartsWith("Bounces:DmarcReportAddress", StringComparison.Ordinal)
            || e.MemberNames.Contains(nameof(BounceOptions.DmarcReportAddress)));
}
