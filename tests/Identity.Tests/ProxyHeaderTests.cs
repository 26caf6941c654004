using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace SalesMind.Identity.Tests;

/// <summary>
/// Identity with a login limit of 3 a minute per client and one named proxy (10.9.9.9). A test
/// chooses the connection's peer address with the test-only header <c>X-Test-Peer</c>, as if the
/// request came from that machine.
/// </summary>
public sealed class ProxyApp : IdentityApp
{
    public const string KnownProxy = "10.9.9.9";

    protected override void ConfigureMore(IWebHostBuilder builder)
    {
        builder.UseSetting("RateLimits:LoginPerMinute", "3");
        builder.UseSetting("ForwardedHeaders:KnownProxies:0", KnownProxy);
        builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, PeerAddressFilter>());
    }

    private sealed class PeerAddressFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, following) =>
            {
                if (context.Request.Headers.TryGetValue("X-Test-Peer", out var peer))
                {
                    context.Connection.RemoteIpAddress = IPAddress.Parse(peer.ToString());
                }

                return following(context);
            });
            next(app);
        };
    }

    /// <summary>A wrong-password login for a fresh unknown name (so only the per-client limit can bite).</summary>
    public async Task<(HttpStatusCode Status, string? Title)> LoginFromAsync(string peer, string? forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login/")
        {
            Content = JsonContent.Create(new { username_or_email = $"nobody_{Guid.NewGuid():N}", password = "Not-The-Password-1" }),
        };
        request.Headers.Add("X-CSRF", "1");
        request.Headers.Add("X-Test-Peer", peer);
        if (forwardedFor is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        }

        using var response = await Client().SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (response.StatusCode, body.TryGetProperty("title", out var title) ? title.GetString() : null);
    }
}

public sealed class ProxyHeaderTests(ProxyApp app) : IClassFixture<ProxyApp>
{
    private static string RandomAddress(string prefix) => $"{prefix}.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(1, 255)}";

    [Fact]
    public async Task A_spoofed_X_Forwarded_For_from_a_peer_outside_the_known_networks_is_ignored_by_the_login_limit()
    {
        var attacker = RandomAddress("203.0");
        var answers = new List<(HttpStatusCode Status, string? Title)>();
        for (var i = 0; i < 4; i++)
        {
            // A new made-up client address every time, as an attacker would send.
            answers.Add(await app.LoginFromAsync(attacker, RandomAddress("198.51")));
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized], answers.Take(3).Select(a => a.Status));
        Assert.Equal((HttpStatusCode.TooManyRequests, "Too many requests"), answers[3]);
    }

    [Fact]
    public async Task X_Forwarded_For_from_a_named_proxy_or_loopback_names_the_client_and_the_limit_applies_to_that_client()
    {
        foreach (var proxy in new[] { ProxyApp.KnownProxy, "127.0.0.1" })
        {
            // Different clients behind the proxy each have their own limit ...
            for (var i = 0; i < 4; i++)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await app.LoginFromAsync(proxy, RandomAddress("192.0"))).Status);
            }

            // ... and one client behind it is limited like any other.
            var client = RandomAddress("100.64");
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 4; i++)
            {
                statuses.Add((await app.LoginFromAsync(proxy, client)).Status);
            }

            Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
        }
    }

    [Fact]
    public void Nginx_overwrites_X_Forwarded_For_with_the_peer_it_saw_and_never_appends_the_clients_copy()
    {
        var config = File.ReadAllText(Path.Combine(RepositoryRoot(), "nginx", "snippets", "locations.conf"));

        Assert.DoesNotContain("$proxy_add_x_forwarded_for", config, StringComparison.Ordinal);
        var lines = config.Split('\n').Where(l => l.Contains("X-Forwarded-For", StringComparison.Ordinal) && !l.TrimStart().StartsWith('#')).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Equal("proxy_set_header X-Forwarded-For $remote_addr;", l.Trim()));
    }

    [Fact]
    public void ASPNETCORE_FORWARDEDHEADERS_ENABLED_makes_the_service_refuse_to_start()
    {
        using var factory = Unstartable(("FORWARDEDHEADERS_ENABLED", "true"));

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("ASPNETCORE_FORWARDEDHEADERS_ENABLED", Messages(error), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "not-a-network")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "0.0.0.0/0")]
    [InlineData("ForwardedHeaders:KnownProxies:0", "10.0.0.999")]
    public void A_bad_proxy_setting_fails_at_start_naming_the_key(string key, string value)
    {
        using var factory = Unstartable((key, value));

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains(key, Messages(error), StringComparison.Ordinal);
    }

    /// <summary>Identity with these settings on a database that does not exist: it must fail before it needs one.</summary>
    private static WebApplicationFactory<Program> Unstartable(params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("ConnectionStrings:Identity", "Host=127.0.0.1;Port=1;Database=none;Username=none;Timeout=1");
            builder.UseSetting("Identity:PublicBaseUrl", IdentityApp.PublicBaseUrl);
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });

    private static string Messages(Exception error)
    {
        var all = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            all.Add(e.Message);
            if (e is AggregateException aggregate)
            {
                all.AddRange(aggregate.InnerExceptions.Select(i => i.Message));
            }
        }

        return string.Join(" | ", all);
    }

    /// <summary>The checkout these tests were built from (not SALESMIND_REPO_ROOT, which may name another).</summary>
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SalesMind.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("SalesMind.sln not found above the test binaries.");
    }
}
