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
            b.UseSetting("Auth:SigningKey", "change-me-to-a-long-random-secret-0123456789");
            b.UseSetting("RabbitMq:Password", "guest");
            b.UseSetting("ConnectionStrings:Identity", "Host=127.0.0.1;Port=5433;Database=salesmind_identity;Username=salesmind");
        });

        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var message = ex.ToString();
        Assert.Contains("Auth:SigningKey (env Auth__SigningKey) is still the placeholder", message);
        Assert.Contains("RabbitMq:Password (env RabbitMq__Password) is a well-known default", message);
        Assert.Contains("the password in Database=salesmind_identity is missing", message);
    }

    [Fact]
    public void Real_secrets_pass()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:SigningKey"] = "q9Zc1v6Yx0hM3tW8bN2rL5kP7sD4fG1jH6aE0uI3oC",
            ["RabbitMq:Password"] = "Xk4!bT9#qLm2",
        }).Build();

        Assert.Empty(ProductionSecrets.Problems(configuration,
            "Host=postgres;Database=salesmind_identity;Username=salesmind;Password=Vh3nT8wQ1zR6yK", ["Auth:SigningKey", "RabbitMq:Password"]));
    }
}
