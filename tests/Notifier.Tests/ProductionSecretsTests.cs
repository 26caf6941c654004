using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace SalesMind.Notifier.Tests;

/// <summary>Outside Development the Notifier will not start without Identity's public key, and says which setting to set.</summary>
// In the Notifier collection: the hosts this class builds and throws away must not be the first
// of the process to set up MassTransit's meter, or the long-lived test host loses its metrics.
[Collection(NotifierCollection.Name)]
public sealed class ProductionSecretsTests
{
    [Fact]
    public void Production_refuses_to_start_without_the_public_key_and_names_the_setting()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting("RabbitMq:Password", "Xk4!bT9#qLm2");
            b.UseSetting("ConnectionStrings:Notifier", "Host=127.0.0.1;Port=5433;Database=salesmind_notifier;Username=salesmind;Password=Vh3nT8wQ1zR6yK");
        });

        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("Auth:PublicKey (env Auth__PublicKey) or Auth:PublicKeyFile (env Auth__PublicKeyFile) is missing", ex.ToString());
    }
}
