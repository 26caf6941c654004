using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace SalesMind.Notifier.Tests;

/// <summary>
/// The key return paths are signed with is what keeps outsiders' reports out: a deployment
/// without a real one must not start (a placeholder key is public, so anyone could sign).
/// </summary>
public sealed class BounceSigningKeyTests
{
    private static WebApplicationFactory<Program> Notifier(string environment, string? bounceKey) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment(environment);
            b.UseSetting("Auth:SigningKey", "q9Zc1v6Yx0hM3tW8bN2rL5kP7sD4fG1jH6aE0uI3oC");
            b.UseSetting("RabbitMq:Password", "Xk4!bT9#qLm2");
            // Never reached: start stops at the configuration checks.
            b.UseSetting("ConnectionStrings:Notifier", "Host=127.0.0.1;Port=1;Database=salesmind_notifier_unused;Username=salesmind;Password=Vh3nT8wQ1zR6yK");
            b.UseSetting("Bounces:SigningKey", bounceKey);
        });

    [Theory]
    [InlineData("development-only-bounce-signing-key-change-me-0123456789", "Bounces:SigningKey (env Bounces__SigningKey) is still the placeholder")]
    [InlineData("", "Bounces:SigningKey (env Bounces__SigningKey) is missing")]
    public void Production_refuses_to_start_without_a_real_bounce_signing_key(string key, string expected)
    {
        using var factory = Notifier("Production", key);

        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains(expected, ex.ToString());
    }

    [Fact]
    public void A_bounce_signing_key_shorter_than_32_characters_is_refused_at_start()
    {
        using var factory = Notifier("Development", "too-short-0123456789");

        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("Bounces:SigningKey must be at least 32 characters.", ex.ToString());
    }
}
