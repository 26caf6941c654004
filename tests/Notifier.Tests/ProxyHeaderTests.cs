using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace SalesMind.Notifier.Tests;

/// <summary>
/// The Notifier shares Identity's forwarded-headers setup (shared/ServiceDefaults), attacked in
/// depth in Identity.Tests' ProxyHeaderTests; here only that it is the one in force.
/// </summary>
// In the Notifier collection: the hosts this class builds and throws away must not be the first
// of the process to set up MassTransit's meter, or the long-lived test host loses its metrics.
[Collection(NotifierCollection.Name)]
public sealed class ProxyHeaderTests
{
    [Theory]
    [InlineData("FORWARDEDHEADERS_ENABLED", "true", "ASPNETCORE_FORWARDEDHEADERS_ENABLED")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "0.0.0.0/0", "ForwardedHeaders:KnownNetworks:0")]
    public void The_notifier_refuses_to_trust_every_proxy(string key, string value, string named)
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Development");
            // A database that does not exist: the service must fail before it needs one.
            builder.UseSetting("ConnectionStrings:Notifier", "Host=127.0.0.1;Port=1;Database=none;Username=none;Timeout=1");
            builder.UseSetting(key, value);
        });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
            if (e is AggregateException aggregate)
            {
                messages.AddRange(aggregate.InnerExceptions.Select(i => i.Message));
            }
        }

        Assert.Contains(named, string.Join(" | ", messages), StringComparison.Ordinal);
    }
}
