using SalesMind.TestSupport;

namespace SalesMind.Notifier.Tests;

/// <summary>
/// Outside Development the Notifier refuses to start while its sender or bounce domain is still
/// an example name (.env.example's example.com), names each setting, and the process exits with 1
/// saying so on one line. Run as its own process: no host of this test process is built.
/// </summary>
public sealed class RefusedStartTests
{
    [Fact]
    public async Task Example_sender_and_bounce_domains_are_refused_and_the_process_exits_with_1()
    {
        var result = await ServiceProcess.RunAsync("SalesMind.Notifier.dll", new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Notifier"] = "Host=127.0.0.1;Port=1;Database=salesmind_notifier;Username=salesmind_notifier;Password=Vh3nT8wQ1zR6yK",
            ["Auth__PublicKey"] = TestAdminTokens.PublicKeyPem,
            ["RabbitMq__Password"] = "Xk4!bT9#qLm2",
            ["Bounces__SigningKey"] = "Qm8vT2xLp9RzK4wN7yB1cH5dJ3fG6sA0",
            ["Notifier__BodyEncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Mail__FromAddress"] = "no-reply@example.com",
            ["Bounces__Domain"] = "bounces.example.com",
        }, TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 1, result.ToString());
        var line = Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(
            "SalesMind.Notifier: Refusing to start in Production with unsafe settings: " +
            "Mail:FromAddress (env Mail__FromAddress) is still an example name (example.com); " +
            "Bounces:Domain (env Bounces__Domain) is still an example name (bounces.example.com). " +
            "Set them (e.g. in .env for docker compose): secrets made with `openssl rand -base64 48`, names of your own domain.",
            line);
    }
}
