using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using SalesMind.ServiceDefaults;

namespace SalesMind.Identity.Tests;

/// <summary>Outside Development, a default or missing secret stops the service at start, naming the setting.</summary>
public sealed class ProductionSecretsTests
{
    [Fact]
    public void Production_refuses_to_start_with_placeholder_and_default_secrets_and_names_each()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting("Auth:PublicKey", "change-me");
            b.UseSetting("RabbitMq:Password", "guest");
            b.UseSetting("ConnectionStrings:Identity", "Host=127.0.0.1;Port=5433;Database=salesmind_identity;Username=salesmind");
        });

        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var message = ex.ToString();
        Assert.Contains("Auth:PrivateKey (env Auth__PrivateKey) or Auth:PrivateKeyFile (env Auth__PrivateKeyFile) is missing", message);
        Assert.Contains("Auth:PublicKey (env Auth__PublicKey) or Auth:PublicKeyFile (env Auth__PublicKeyFile) is still the placeholder", message);
        Assert.Contains("RabbitMq:Password (env RabbitMq__Password) is a well-known default", message);
        Assert.Contains("the password in Database=salesmind_identity is missing", message);
    }

    [Fact]
    public void Real_secrets_pass()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:PrivateKeyFile"] = "/run/secrets/k",
            ["Auth:PublicKey"] = SalesMind.TestSupport.TestAdminTokens.PublicKeyPem,
            ["RabbitMq:Password"] = "Xk4!bT9#qLm2",
        }).Build();

        Assert.Empty(ProductionSecrets.Problems(configuration,
            "Host=postgres;Database=salesmind_identity;Username=salesmind;Password=Vh3nT8wQ1zR6yK", ["Auth:PrivateKey|Auth:PrivateKeyFile", "Auth:PublicKey|Auth:PublicKeyFile", "RabbitMq:Password"]));
    }
}
