using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using SalesMind.TestSupport;

namespace SalesMind.Identity.Tests;

/// <summary>
/// Outside Development a public base URL still at its example (app.example.com, .env.example's)
/// stops Identity at start, in the same message as any unsafe secret; the process then exits
/// with 1 and says why on one line (not an abort: 134, or 139 as a container's PID 1).
/// </summary>
public sealed class RefusedStartTests
{
    [Fact]
    public void An_example_public_base_url_is_refused_with_the_secrets_in_one_message()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting("Auth:PublicKey", "change-me");
            b.UseSetting("Identity:PublicBaseUrl", "https://app.example.com");
        });

        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        var message = Assert.IsType<SalesMind.ServiceDefaults.RefusedStartException>(ex).Message;
        Assert.StartsWith("Refusing to start in Production with unsafe settings: ", message);
        Assert.Contains("Auth:PublicKey (env Auth__PublicKey) or Auth:PublicKeyFile (env Auth__PublicKeyFile) is still the placeholder", message);
        Assert.Contains("Identity:PublicBaseUrl (env Identity__PublicBaseUrl) is still an example name (app.example.com)", message);
    }

    [Fact]
    public async Task The_process_exits_with_1_and_prints_the_reason_on_one_line()
    {
        var result = await ServiceProcess.RunAsync("SalesMind.Identity.dll", new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Identity__PublicBaseUrl"] = "https://app.example.com",
            ["Auth__PublicKey"] = "change-me",
        }, TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 1, result.ToString());
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("SalesMind.Identity: Refusing to start in Production with unsafe settings: ", line);
        Assert.Contains("Identity:PublicBaseUrl (env Identity__PublicBaseUrl) is still an example name (app.example.com)", line);
        Assert.Empty(result.Output);
    }
}
