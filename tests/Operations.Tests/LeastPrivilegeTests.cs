using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Npgsql;
using SalesMind.TestSupport;

namespace SalesMind.Operations.Tests;

/// <summary>
/// The running stack gives each service only what it needs: its own PostgreSQL role that owns
/// its database and cannot reach the other one, its own RabbitMQ user without management tags,
/// and a broker where guest is a loopback-only user. Attacked the way a compromised service
/// would try: connecting to the other database, logging in to the management API.
/// </summary>
public sealed class LeastPrivilegeTests
{
    private static string As(string role, string database) =>
        new NpgsqlConnectionStringBuilder(Stack.PostgresAdmin) { Username = role, Database = database, Pooling = false }.ConnectionString;

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task The_running_services_connect_to_postgres_as_their_own_non_superuser_roles()
    {
        // Every connection the live services hold to their databases is made by that database's role.
        await using var admin = new NpgsqlConnection(Stack.PostgresAdmin);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT datname, usename FROM pg_stat_activity WHERE datname IN ('salesmind_identity', 'salesmind_notifier') AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
            admin);
        var seen = new List<(string Database, string User)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                seen.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        Assert.Contains(seen, s => s.Database == "salesmind_identity");
        Assert.Contains(seen, s => s.Database == "salesmind_notifier");
        Assert.All(seen.Where(s => s.User != "postgres"), s => Assert.Equal(s.Database, s.User));
        // (Tests and operators may look in as postgres; the services never do.)
        Assert.Contains(seen, s => s.Database == "salesmind_identity" && s.User == "salesmind_identity");
        Assert.Contains(seen, s => s.Database == "salesmind_notifier" && s.User == "salesmind_notifier");

        foreach (var role in new[] { "salesmind_identity", "salesmind_notifier" })
        {
            var powers = await ScalarAsync<string>(Stack.PostgresAdmin,
                $"SELECT rolsuper::text || rolcreatedb::text || rolcreaterole::text || rolreplication::text || rolbypassrls::text FROM pg_roles WHERE rolname = '{role}'");
            Assert.Equal("falsefalsefalsefalsefalse", powers);
            Assert.Equal(role, await ScalarAsync<string>(Stack.PostgresAdmin, $"SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = '{role}'"));
            // Everything in its database is its own, so it can migrate without a superuser.
            Assert.Equal(0L, await ScalarAsync<long>(As("postgres", role),
                $"SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) <> '{role}'"));
        }
    }

    [Theory]
    [InlineData("salesmind_identity", "salesmind_notifier")]
    [InlineData("salesmind_notifier", "salesmind_identity")]
    [InlineData("salesmind_identity", "postgres")]
    public async Task A_service_role_cannot_open_another_database(string role, string otherDatabase)
    {
        var refused = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<int>(As(role, otherDatabase), "SELECT 1"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);

        // Nor can it make itself more powerful from inside its own database.
        var escalate = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync<int>(As(role, role), $"ALTER ROLE {role} SUPERUSER"));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, escalate.SqlState);
    }

    [Fact]
    public async Task The_services_broker_users_have_no_tags_and_the_monitoring_user_cannot_touch_messages()
    {
        using var http = Management("guest", "guest");
        var users = JsonDocument.Parse(await http.GetStringAsync("api/users")).RootElement.EnumerateArray()
            .ToDictionary(u => u.GetProperty("name").GetString()!, Tags);
        Assert.Empty(users["salesmind-identity"]);
        Assert.Empty(users["salesmind-notifier"]);
        Assert.Equal(["monitoring"], users["salesmind-monitor"]);

        // The live services are connected with their own users, not guest or an administrator.
        var connections = JsonDocument.Parse(await http.GetStringAsync("api/connections")).RootElement.EnumerateArray()
            .Select(c => c.GetProperty("user").GetString()!).ToList();
        Assert.Contains("salesmind-identity", connections);
        Assert.Contains("salesmind-notifier", connections);

        var permissions = JsonDocument.Parse(await http.GetStringAsync("api/users/salesmind-monitor/permissions")).RootElement.EnumerateArray().Single();
        Assert.Equal("^$", permissions.GetProperty("read").GetString());
        Assert.Equal("^$", permissions.GetProperty("write").GetString());
        Assert.Equal("^$", permissions.GetProperty("configure").GetString());
    }

    [Fact]
    public async Task A_service_user_is_refused_by_the_management_api()
    {
        var password = await File.ReadAllTextAsync(Path.Combine(Stack.RepoRoot, ".stack", "secrets", "rabbitmq-salesmind-identity"));
        using var http = Management("salesmind-identity", password.Trim());

        var response = await http.GetAsync("api/overview");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Guest_may_log_in_from_loopback_only()
    {
        // RabbitMQ's own view of the setting (what the node runs with, not what a file says).
        var result = await Shell.RunAsync("rabbitmqctl", ["-q", "-n", "salesmind@localhost", "eval", "application:get_env(rabbit, loopback_users)."]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("<<\"guest\">>", result.Output);
    }

    [Theory]
    [InlineData("notifier", "Bounces__SigningKey", "services/Notifier/appsettings.Development.json", "Bounces", "SigningKey")]
    [InlineData("notifier", "Notifier__BodyEncryptionKey", "services/Notifier/appsettings.Development.json", "Notifier", "BodyEncryptionKey")]
    public async Task The_stacks_services_run_with_keys_of_their_own_not_the_repositorys_placeholders(
        string service, string variable, string settingsFile, string section, string key)
    {
        // Whoever reads the repository knows the Development placeholders: with them, anyone could
        // sign a return path (and forge a report) or open a sealed email on this stack.
        var pid = (await File.ReadAllTextAsync(Path.Combine(Stack.RepoRoot, ".stack", "run", $"{service}.pid"))).Trim();
        var environment = (await File.ReadAllTextAsync($"/proc/{pid}/environ")).Split('\0')
            .Select(e => e.Split('=', 2)).Where(e => e.Length == 2).ToDictionary(e => e[0], e => e[1]);
        using var settings = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Stack.RepoRoot, settingsFile)));
        var placeholder = settings.RootElement.GetProperty(section).GetProperty(key).GetString();

        Assert.True(environment.TryGetValue(variable, out var value), $"{service} runs without {variable}");
        Assert.NotEqual(placeholder, value);
        Assert.True(value!.Length >= 32, $"{variable} is too short");
    }

    private static string[] Tags(JsonElement user) => user.GetProperty("tags") switch
    {
        { ValueKind: JsonValueKind.Array } array => array.EnumerateArray().Select(t => t.GetString()!).ToArray(),
        var text => (text.GetString() ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries),
    };

    private static HttpClient Management(string user, string password)
    {
        var http = new HttpClient { BaseAddress = new Uri(Stack.RabbitManagement.TrimEnd('/') + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return http;
    }
}
