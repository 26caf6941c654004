namespace SalesMind.Operations.Tests;

/// <summary>
/// What docker compose would run, checked here where no container engine runs: the compose file
/// parses with .env.example, every script passes shellcheck, the production nginx config passes
/// nginx -t with a test certificate, the mail server's Postfix config passes postfix check, and
/// the JSON the containers load is valid (ops/check-production-config.sh does each check).
/// </summary>
public sealed class ProductionConfigTests
{
    [Fact]
    public async Task The_production_configuration_passes_every_static_check()
    {
        var result = await Shell.RunAsync("ops/check-production-config.sh", [], timeout: TimeSpan.FromMinutes(3));

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var check in new[] { "compose", "shellcheck", "nginx", "postfix" })
        {
            Assert.Contains(result.Output.Split('\n'), line => line.Contains(check, StringComparison.OrdinalIgnoreCase) && line.Contains("ok", StringComparison.OrdinalIgnoreCase));
        }
    }
}

/// <summary>The local stack's RabbitMQ runs with the same definitions file as production.</summary>
public sealed class BrokerDefinitionsTests
{
    [Fact]
    public async Task The_stacks_broker_has_the_vhost_and_policies_of_the_definitions_file()
    {
        using var file = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(SalesMind.TestSupport.Stack.RepoRoot, "rabbitmq", "definitions.json")));
        var wanted = file.RootElement.GetProperty("policies").EnumerateArray()
            .Select(p => (Vhost: p.GetProperty("vhost").GetString()!, Name: p.GetProperty("name").GetString()!)).ToList();
        Assert.NotEmpty(wanted);

        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("guest:guest")));
        var policies = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"{SalesMind.TestSupport.Stack.RabbitManagement}/api/policies")).RootElement;
        var have = policies.EnumerateArray().Select(p => (Vhost: p.GetProperty("vhost").GetString()!, Name: p.GetProperty("name").GetString()!)).ToList();

        Assert.All(wanted, policy => Assert.Contains(policy, have));
    }
}
