using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using SalesMind.ServiceDefaults;
using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.UnitTests;

/// <summary>
/// The key return paths are signed with is what keeps outsiders' reports out: a deployment
/// without a real one must not start (a placeholder key is public, so anyone could sign).
/// </summary>
public sealed class BounceSigningKeyTests
{
    private const string Connection = "Host=postgres;Database=salesmind_notifier;Username=salesmind;Password=Vh3nT8wQ1zR6yK";

    private static List<string> Problems(string? bounceKey) => ProductionSecrets.Problems(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:PublicKey"] = SalesMind.TestSupport.TestAdminTokens.PublicKeyPem,
            ["Notifier:BodyEncryptionKey"] = "x7Qm2Rk9Tz4Wv1Ny6Bp3Lc8Hd5Gf0Js2Ae7Ui4Oo9Yr=",
            ["RabbitMq:Password"] = "Xk4!bT9#qLm2",
            ["Bounces:SigningKey"] = bounceKey,
        }).Build(), Connection, NotifierServices.Secrets);

    [Theory]
    [InlineData("development-only-bounce-signing-key-change-me-0123456789", "Bounces:SigningKey (env Bounces__SigningKey) is still the placeholder")]
    [InlineData("change-me-to-another-long-random-secret-of-48-characters", "Bounces:SigningKey (env Bounces__SigningKey) is still the placeholder")]
    [InlineData(null, "Bounces:SigningKey (env Bounces__SigningKey) is missing")]
    public void Outside_Development_the_Notifier_refuses_a_missing_or_placeholder_bounce_signing_key(string? key, string expected) =>
        Assert.Equal(expected, Assert.Single(Problems(key)));

    [Fact]
    public void A_real_bounce_signing_key_passes() => Assert.Empty(Problems("Jw5fR2mZ8qT1xV7cN4bH9kL3sD6gP0aY2eU5iO8rC1"));

    [Theory]
    [InlineData(null, "Bounces:SigningKey is required")]
    [InlineData("too-short-0123456789", "Bounces:SigningKey must be at least 32 characters.")]
    public void A_missing_or_short_bounce_signing_key_fails_the_options_check_at_start(string? key, string expected)
    {
        var options = new BounceOptions { SigningKey = key! };
        var errors = new List<ValidationResult>();

        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true));
        Assert.Contains(errors, e => e.ErrorMessage!.StartsWith(expected, StringComparison.Ordinal));
    }
}
