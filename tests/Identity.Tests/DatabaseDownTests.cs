using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using SalesMind.Outbox;
using SalesMind.ServiceDefaults;
using SalesMind.TestSupport;

namespace SalesMind.Identity.Tests;

/// <summary>
/// PostgreSQL down (its port closed, as during a restart): requests that need the database are
/// answered 503 with Retry-After and a problem body, never 500, and readiness says unhealthy.
/// Runs without the local stack: nothing listens on the ports it is given.
/// </summary>
public sealed class DatabaseDownTests(DatabaseDownTests.DownApp app) : IClassFixture<DatabaseDownTests.DownApp>
{
    /// <summary>Identity with nothing listening where its database and broker should be.</summary>
    public sealed class DownApp : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("ConnectionStrings:Identity", $"Host=127.0.0.1;Port={ServiceProcess.ClosedPort()};Database=salesmind_identity;Username=salesmind_identity");
            builder.UseSetting("RabbitMq:Host", "127.0.0.1");
            builder.UseSetting("RabbitMq:Port", ServiceProcess.ClosedPort().ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseTestAdminKeys(signer: true);
            // Not under test, and it waits for the (absent) broker before it stops.
            builder.ConfigureTestServices(services =>
                services.Remove(services.Single(d => d.ImplementationType == typeof(OutboxRelay))));
        }
    }

    [Fact]
    public async Task A_login_is_answered_503_with_retry_after_and_a_problem()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login/")
        {
            Content = JsonContent.Create(new { username_or_email = "someone@mail.test", password = "Quiet-Harbor-7319" }),
        };
        request.Headers.Add("X-CSRF", "1");

        await AssertDatabaseUnavailableAsync(await app.CreateClient().SendAsync(request));
    }

    [Fact]
    public async Task A_sign_up_is_answered_503_with_retry_after_and_a_problem()
    {
        var response = await app.CreateClient().PostAsync("/api/auth/register/", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = $"down{Guid.NewGuid():N}"[..20],
            ["email"] = Stack.NewMailbox("down"),
            ["password"] = "Quiet-Harbor-7319-Down",
            ["industry"] = "software",
            ["sales_experience"] = "1_to_3_years",
            ["purpose"] = "database down",
            ["locale"] = "en",
        }));

        await AssertDatabaseUnavailableAsync(response);
    }

    [Fact]
    public async Task Readiness_is_503_naming_the_database_and_liveness_stays_200()
    {
        var client = app.CreateClient();

        var ready = await client.GetAsync("/health/ready");
        var live = await client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var report = await ready.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal("Unhealthy", report.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    private static async Task AssertDatabaseUnavailableAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode} {body}");
        Assert.Equal(WebDefaults.DatabaseRetryAfterSeconds, response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        // The exception handler clears the headers before writing: the protections are set again.
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.True(response.Headers.CacheControl?.NoStore, $"Cache-Control: {response.Headers.CacheControl}");
        var problem = System.Text.Json.JsonDocument.Parse(body).RootElement;
        Assert.Equal("Database unavailable", problem.GetProperty("title").GetString());
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
    }
}
