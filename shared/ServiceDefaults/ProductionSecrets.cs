using System.Data.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace SalesMind.ServiceDefaults;

/// <summary>
/// Outside Development, a service refuses to start while a secret is missing or still a
/// default or a placeholder (the development key, <c>guest</c>, <c>change-me…</c>), or while a
/// public name is still an example name (<c>app.example.com</c>, see <see cref="ExampleNames"/>),
/// and says which settings to fix, all in one message. A forgotten secret is then a failed
/// deployment, not a server anyone can sign admin tokens for; a forgotten name is a failed
/// deployment, not emails whose links lead nowhere.
/// </summary>
public static class ProductionSecrets
{
    private static readonly string[] KnownDefaults = ["guest", "password", "postgres", "secret", "admin"];

    /// <summary>
    /// Checks <paramref name="secrets"/> (configuration keys), the password in
    /// <paramref name="connectionString"/> and <paramref name="publicNames"/>.
    /// </summary>
    public static WebApplicationBuilder RequireProductionSecrets(
        this WebApplicationBuilder builder, string connectionString, string[] secrets, PublicName[] publicNames)
    {
        if (builder.Environment.IsDevelopment())
        {
            return builder;
        }

        var problems = Problems(builder.Configuration, connectionString, secrets);
        problems.AddRange(PublicNameProblems(builder.Configuration, publicNames));
        if (problems.Count > 0)
        {
            throw new RefusedStartException(
                $"Refusing to start in {builder.Environment.EnvironmentName} with unsafe settings: {string.Join("; ", problems)}. " +
                "Set them (e.g. in .env for docker compose): secrets made with `openssl rand -base64 48`, names of your own domain.");
        }

        return builder;
    }

    public static List<string> Problems(IConfiguration configuration, string connectionString, IEnumerable<string> secrets)
    {
        var problems = new List<string>();
        foreach (var key in secrets)
        {
            // "A|B": either setting will do (a key given inline or as a file); the first one set is checked.
            var alternatives = key.Split('|');
            var chosen = alternatives.FirstOrDefault(k => !string.IsNullOrEmpty(configuration[k])) ?? alternatives[0];
            // A file setting names a path, not a secret: only its absence is a problem (the key in it is checked at start).
            var why = chosen.EndsWith("File", StringComparison.Ordinal)
                ? string.IsNullOrEmpty(configuration[chosen]) ? "is missing" : null
                : Unsafe(configuration[chosen]);
            if (why is not null)
            {
                var names = string.Join(" or ", alternatives.Select(Named));
                problems.Add($"{names} {why}");
            }
        }

        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var password = builder.TryGetValue("Password", out var value) ? value?.ToString() : null;
        if (Unsafe(password) is { } passwordProblem)
        {
            problems.Add($"the password in {connectionString.Split(';').FirstOrDefault(p => p.StartsWith("Database", StringComparison.OrdinalIgnoreCase)) ?? "the connection string"} {passwordProblem}");
        }

        return problems;
    }

    /// <summary>Each of <paramref name="names"/> whose host is an example name, with the setting and its environment variable.</summary>
    public static List<string> PublicNameProblems(IConfiguration configuration, IEnumerable<PublicName> names) =>
        [.. from name in names
            let host = name.HostOf(configuration[name.Key])
            where host is not null && ExampleNames.IsExample(host)
            select $"{Named(name.Key)} is still an example name ({host})"];

    private static string Named(string key) => $"{key} (env {key.Replace(":", "__", StringComparison.Ordinal)})";

    private static string? Unsafe(string? value) => value switch
    {
        null or "" => "is missing",
        _ when value.Contains("change-me", StringComparison.OrdinalIgnoreCase) || value.Contains("development-only", StringComparison.OrdinalIgnoreCase)
            => "is still the placeholder",
        _ when KnownDefaults.Contains(value, StringComparer.OrdinalIgnoreCase) => "is a well-known default",
        _ when value.Length < 12 => "is shorter than 12 characters",
        _ => null,
    };
}
