using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SalesMind.TestSupport;
using SalesMind.Notifier.Data;

namespace SalesMind.Notifier.Tests;

/// <summary>The Notifier in-process on a database and vhost of its own, sending to the stack's real Postfix.</summary>
public sealed class NotifierApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    private TestVirtualHost _vhost = null!;

    /// <summary>
    /// This instance's report listener: a free port of its own (the stack's Notifier has the
    /// stack's port, and other test runs on this machine may be running a listener too).
    /// </summary>
    public static int BouncePort { get; } = FreePort();

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>A bounce domain of its own: the stack's mail server routes only the stack's to a listener.</summary>
    public const string BounceDomain = "bounces-test.salesmind.test";

    public TestDatabase Database { get; } = TestDatabase.Named("notifier_test");

    public TestVirtualHost VirtualHost => _vhost;

    public async Task InitializeAsync()
    {
        _vhost = await TestVirtualHost.CreateAsync("notifier-test");
        await using (var scope = Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<NotifierDb>().Database.MigrateAsync();
        }

        await Services.GetRequiredService<IBusControl>().WaitForHealthStatus(BusHealthStatus.Healthy, TimeSpan.FromSeconds(30));
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await _vhost.DisposeAsync();
        await Database.DisposeAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:Notifier", Database.ConnectionString);
        builder.UseSetting("RabbitMq:Host", Stack.RabbitHost);
        builder.UseSetting("RabbitMq:Port", Stack.RabbitPort.ToString());
        builder.UseSetting("RabbitMq:VirtualHost", _vhost.Name);
        builder.UseSetting("RabbitMq:ManagementUrl", Stack.RabbitManagement);
        builder.UseSetting("Smtp:Host", Stack.SmtpHost);
        builder.UseSetting("Smtp:Port", Stack.SmtpPort.ToString());
        builder.UseSetting("Deliveries:PollInterval", "00:00:00.200");
        builder.UseSetting("Smtp:Timeout", "00:00:02");
        builder.UseSetting("Deliveries:LockDuration", "00:00:16");
        builder.UseSetting("Smtp:MailLogPath", Stack.PostfixLog);
        builder.UseSetting("Bounces:ListenPort", BouncePort.ToString());
        builder.UseSetting("Bounces:Domain", BounceDomain);
        // Sender-domain checks against the stack's test resolver, its DKIM key and its Postfix's address.
        builder.UseSetting("DomainHealth:DnsServer", Stack.DnsServer);
        builder.UseSetting("DomainHealth:DkimPublicKeyPath", Path.Combine(Stack.DkimKeys, "public"));
        builder.UseSetting("DomainHealth:SendingAddresses:0", "127.0.0.1");
        // The public key only, as in production: the Notifier verifies tokens and cannot make one.
        builder.UseTestAdminKeys(signer: false);
        // Every test's admin is "test": the hourly test-send limit is tested with admins of its own.
        builder.UseSetting("Notifier:TestSendsPerHour", "1000");
        // Webhook receivers run inside the tests, on 127.0.0.1 over http; retries come quickly.
        builder.UseSetting("Webhooks:AllowHttp", "true");
        builder.UseSetting("Webhooks:AllowedPrivateNetworks:0", "127.0.0.0/8");
        builder.UseSetting("Webhooks:MaxAttempts", "3");
        builder.UseSetting("Webhooks:FirstRetryDelay", "00:00:00.200");
        builder.UseSetting("Webhooks:MaxRetryDelay", "00:00:01");
        builder.UseSetting("Webhooks:PollInterval", "00:00:00.200");
        builder.UseSetting("Webhooks:Timeout", "00:00:05");
    }

    /// <summary>A client carrying an admin's bearer token (subject <c>test</c>).</summary>
    public HttpClient AdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Bearer", AdminEndpoints.Token(Services, SalesMind.ServiceDefaults.AdminAuth.AdminRole));
        return client;
    }

    /// <summary>The response's JSON body, after checking its status (the body is in the failure message).</summary>
    public static async Task<System.Text.Json.JsonElement> JsonAsync(HttpResponseMessage response, System.Net.HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode} {body}");
        return body.Length == 0 ? default : System.Text.Json.JsonDocument.Parse(body).RootElement.Clone();
    }

    public Task PublishAsync<T>(T message, Guid messageId)
        where T : class =>
        Services.GetRequiredService<IBus>().Publish(message, ctx => ctx.MessageId = messageId);
}

[CollectionDefinition(Name)]
public sealed class NotifierCollection : ICollectionFixture<NotifierApp>
{
    public const string Name = "notifier";
}
