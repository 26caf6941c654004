using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SalesMind.Identity.Data;
using SalesMind.Outbox;
using SalesMind.TestSupport;

namespace SalesMind.Identity.Tests;

/// <summary>
/// Identity in-process over HTTP, on a migrated database and a RabbitMQ vhost of its own. The
/// outbox relay is switched off so tests can read the events a request wrote; publishing
/// itself is covered by the outbox tests.
/// </summary>
public class IdentityApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string PublicBaseUrl = "https://salesmind.example";

    private TestVirtualHost _vhost = null!;

    public TestDatabase Database { get; } = TestDatabase.Named("identity_test");

    public async Task InitializeAsync()
    {
        _vhost = await TestVirtualHost.CreateAsync("identity-test");
        await using var scope = Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IdentityDb>().Database.MigrateAsync();
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
        builder.UseSetting("ConnectionStrings:Identity", Database.ConnectionString);
        builder.UseSetting("RabbitMq:Host", Stack.RabbitHost);
        builder.UseSetting("RabbitMq:Port", Stack.RabbitPort.ToString());
        builder.UseSetting("RabbitMq:VirtualHost", _vhost.Name);
        builder.UseSetting("Identity:PublicBaseUrl", PublicBaseUrl);
        builder.UseTestAdminKeys(signer: true);
        // Every test shares one client address here; the limits have their own test.
        builder.UseSetting("RateLimits:RegisterPerMinute", "1000000");
        builder.UseSetting("RateLimits:LoginPerMinute", "1000000");
        builder.UseSetting("RateLimits:ResendPerMinute", "1000000");
        ConfigureMore(builder);
        builder.ConfigureTestServices(services =>
            services.Remove(services.Single(d => d.ImplementationType == typeof(OutboxRelay))));
    }

    /// <summary>Settings a derived fixture changes on top of these.</summary>
    protected virtual void ConfigureMore(IWebHostBuilder builder)
    {
    }

    public HttpClient Client() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <summary>The JSON bodies of the outbox events of <paramref name="type"/> whose <c>email</c> is <paramref name="email"/>.</summary>
    public async Task<List<JsonElement>> EventsAsync(string type, string email)
    {
        var bodies = new List<JsonElement>();
        await using var connection = new Npgsql.NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT body::text FROM outbox_message WHERE message_type = $1 AND lower(body->>'email') = lower($2) ORDER BY id", connection);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = $"SalesMind.Contracts.{type}" });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = email });
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            bodies.Add(JsonDocument.Parse(reader.GetString(0)).RootElement.Clone());
        }

        return bodies;
    }

    /// <summary>A valid sign-up with unique name and address.</summary>
    public static Dictionary<string, string?> NewSignup(string locale = "en")
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        return new Dictionary<string, string?>
        {
            ["username"] = $"user_{id}",
            ["email"] = $"user-{id}@mail.test",
            ["password"] = "Quiet-Harbor-7319",
            ["industry"] = "software",
            ["sales_experience"] = "1_to_3_years",
            ["purpose"] = "Find customers",
            ["locale"] = locale,
        };
    }

    public async Task<HttpResponseMessage> RegisterAsync(Dictionary<string, string?> form) =>
        await Client().PostAsJsonAsync("/api/auth/register/", form);

    /// <summary>A signed-up account whose address is verified through its emailed link (optionally an admin).</summary>
    public async Task<Dictionary<string, string?>> VerifiedUserAsync(bool admin = false)
    {
        var form = NewSignup();
        await RegisterAsync(form);
        var link = (await EventsAsync("UserRegistered", form["email"]!))[0].GetProperty("verificationUrl").GetString()!;
        await Client().GetAsync(link[PublicBaseUrl.Length..]);
        if (admin)
        {
            await Database.ExecuteAsync("UPDATE users SET roles = '{admin}' WHERE email = $1", form["email"]!);
        }

        return form;
    }

    /// <summary>
    /// A new verified account (an admin unless told otherwise), its id, and a token for it: from
    /// Identity's own issuer for an admin, or from the test key for a non-admin (Identity never
    /// issues one; a stolen key would).
    /// </summary>
    public async Task<(Dictionary<string, string?> Form, Guid Id, string Token)> AccountWithTokenAsync(bool admin = true)
    {
        var form = await VerifiedUserAsync(admin);
        await using var scope = Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<IdentityDb>().Users.AsNoTracking()
            .SingleAsync(u => u.Email == form["email"]);
        var token = admin
            ? Services.GetRequiredService<SalesMind.Identity.AdminTokens.AdminTokenIssuer>().Issue(user, TimeSpan.FromMinutes(5))
            : TestAdminTokens.Mint(user.Id, user.TokenVersion, ["user"], user.Username, user.Email);
        return (form, user.Id, token);
    }

    /// <summary>A client carrying a new admin's bearer token.</summary>
    public async Task<HttpClient> AdminClientAsync()
    {
        var client = Client();
        client.DefaultRequestHeaders.Authorization = new("Bearer", (await AccountWithTokenAsync()).Token);
        return client;
    }

    /// <summary>A login as the pages send it (with the CSRF header unless told otherwise).</summary>
    public static Task<HttpResponseMessage> LoginAsync(HttpClient client, string identifier, string password, bool csrf = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login/")
        {
            Content = JsonContent.Create(new { username_or_email = identifier, password, locale = "en" }),
        };
        if (csrf)
        {
            request.Headers.Add("X-CSRF", "1");
        }

        return client.SendAsync(request);
    }
}

[CollectionDefinition(Name)]
public sealed class IdentityCollection : ICollectionFixture<IdentityApp>
{
    public const string Name = "identity";
}
