using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace SalesMind.Identity.Tests;

/// <summary>Requests a signed-in page makes under <c>/api/account/</c>, and what the tests read back.</summary>
public static class AccountRequests
{
    public const string Chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    public const string Firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

    /// <summary>A new client (its own cookie jar) logged in as <paramref name="form"/>'s account, from <paramref name="userAgent"/>.</summary>
    public static async Task<HttpClient> SignedInAsync(IdentityApp app, Dictionary<string, string?> form, string userAgent = Chrome, string? password = null)
    {
        var client = app.Client();
        client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", userAgent);
        var login = await IdentityApp.LoginAsync(client, form["username"]!, password ?? form["password"]!);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return client;
    }

    /// <summary>A request as the account page sends it: JSON, <c>X-CSRF: 1</c> unless told otherwise, messages in <paramref name="language"/>.</summary>
    public static Task<HttpResponseMessage> SendAsync(
        HttpClient client, HttpMethod method, string url, object? body = null, bool csrf = true, string language = "en")
    {
        var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (csrf)
        {
            request.Headers.Add("X-CSRF", "1");
        }

        request.Headers.Add("Accept-Language", language);
        return client.SendAsync(request);
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    /// <summary>The messages the answer gives for <paramref name="field"/>.</summary>
    public static async Task<string[]> FieldErrorsAsync(this HttpResponseMessage response, string field)
    {
        var body = await response.JsonAsync();
        return body.GetProperty("errors").TryGetProperty(field, out var messages)
            ? messages.EnumerateArray().Select(m => m.GetString()!).ToArray()
            : [];
    }

    public static async Task<Guid> UserIdAsync(IdentityApp app, Dictionary<string, string?> form) =>
        await app.Database.ScalarAsync<Guid>("SELECT id FROM users WHERE email = $1", form["email"]!);

    /// <summary>The account's audit entries of <paramref name="action"/>, oldest first: (actor, before, after) as JSON text.</summary>
    public static async Task<List<(Guid? Actor, string? Before, string? After)>> AuditAsync(IdentityApp app, Guid userId, string action)
    {
        var entries = new List<(Guid?, string?, string?)>();
        await using var connection = new Npgsql.NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT actor_id, before::text, after::text FROM account_audit WHERE target_user_id = $1 AND action = $2 ORDER BY at, id", connection);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = userId });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = action });
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            entries.Add((reader.IsDBNull(0) ? null : reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        }

        return entries;
    }
}
