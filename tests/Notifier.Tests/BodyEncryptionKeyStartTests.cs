using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using SalesMind.TestSupport;

namespace SalesMind.Notifier.Tests;

/// <summary>The body encryption key is checked when the host starts.</summary>
// In the Notifier collection: the hosts this class builds and throws away must not be the first
// of the process to set up MassTransit's meter, or the long-lived test host loses its metrics.
[Collection(NotifierCollection.Name)]
public sealed class BodyEncryptionKeyStartTests
{
    [Fact]
    public void Production_refuses_to_start_without_the_body_encryption_key()
    {
        // Fails while the host is built, before anything listens or connects.
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseTestAdminKeys(signer: false);
            b.UseSetting("RabbitMq:Password", "Xk4!bT9#qLm2");
            b.UseSetting("ConnectionStrings:Notifier", "Host=127.0.0.1;Port=5433;Database=salesmind_notifier;Username=salesmind;Password=Vh3nT8wQ1zR6yK");
        });

        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("Notifier:BodyEncryptionKey (env Notifier__BodyEncryptionKey) is missing", ex.ToString());
    }
}
