using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace SalesMind.Identity.Tests;

/// <summary>An admin of the users API in the tests: a real account, its id, its token and a client carrying it.</summary>
public sealed record UserAdminClient(Dictionary<string, string?> Form, Guid Id, string Token, HttpClient Http)
{
    public static async Task<UserAdminClient> CreateAsync(IdentityApp app)
    {
        var (form, id, token) = await app.AccountWithTokenAsync();
        var http = app.Client();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new UserAdminClient(form, id, token, http);
    }

    public Task<HttpResponseMessage> PostAsync(Guid id, string action) => Http.PostAsync($"/api/admin/users/{id}/{action}?lang=en", null);

    public Task<HttpResponseMessage> GrantAsync(Guid id, string role = "admin") => Http.PutAsync($"/api/admin/users/{id}/roles/{role}?lang=en", null);

    public Task<HttpResponseMessage> RevokeAsync(Guid id, string role = "admin") => Http.DeleteAsync($"/api/admin/users/{id}/roles/{role}?lang=en");

    public Task<HttpResponseMessage> PatchProfileAsync(Guid id, object body, string lang = "en") =>
        Http.PatchAsync($"/api/admin/users/{id}/profile?lang={lang}", JsonContent.Create(body));

    public async Task<JsonElement> GetAsync(string path) => await Http.GetFromJsonAsync<JsonElement>(path);

    /// <summary>The usernames the list answers for <paramref name="query"/>.</summary>
    public async Task<List<string>> NamesAsync(string query) =>
        (await GetAsync($"/api/admin/users/?limit=200&{query}")).GetProperty("users").EnumerateArray()
            .Select(u => u.GetProperty("username").GetString()!).Order().ToList();

    /// <summary>The account's audit, newest first.</summary>
    public async Task<List<JsonElement>> AuditAsync(Guid id) =>
        [.. (await GetAsync($"/api/admin/users/{id}/audit?limit=200")).GetProperty("entries").EnumerateArray()];

    public static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("code", out var code) ? code.GetString() : null;
}

/// <summary>Accounts made for a test with a chosen username, verified or not.</summary>
public static class TestAccounts
{
    public static async Task<(Dictionary<string, string?> Form, Guid Id)> SignUpAsync(IdentityApp app, string username, bool verify)
    {
        var form = IdentityApp.NewSignup();
        form["username"] = username;
        await app.RegisterAsync(form);
        if (verify)
        {
            var link = (await app.EventsAsync("UserRegistered", form["email"]!))[0].GetProperty("verificationUrl").GetString()!;
            await app.Client().GetAsync(link[IdentityApp.PublicBaseUrl.Length..]);
        }

        return (form, await app.Database.ScalarAsync<Guid>("SELECT id FROM users WHERE email = $1", form["email"]!));
    }
}
