using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using SalesMind.Identity.AdminTokens;
using SalesMind.Identity.Cli;
using SalesMind.ServiceDefaults;
using SalesMind.TestSupport;

namespace SalesMind.Identity.Tests;

/// <summary>
/// Admin bearer tokens name a real account and die with it: deactivation, losing the role or a
/// new password kill them here at once and, through the announced <c>AdminTokensRevoked</c>
/// event, on the Notifier (its side: Notifier.Tests' AdminTokenRevocationTests).
/// </summary>
[Collection(IdentityCollection.Name)]
public sealed class AdminTokenTests(IdentityApp app)
{
    private async Task<HttpStatusCode> CallAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/admin/users/?limit=1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await app.Client().SendAsync(request);
        return response.StatusCode;
    }

    private async Task<List<JsonElement>> RevocationsAsync(Guid userId)
    {
        var events = new List<JsonElement>();
        await using var connection = new Npgsql.NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT body::text FROM outbox_message WHERE message_type = 'SalesMind.Contracts.AdminTokensRevoked' AND body->>'userId' = $1 ORDER BY id",
            connection);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = userId.ToString() });
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            events.Add(JsonDocument.Parse(reader.GetString(0)).RootElement.Clone());
        }

        return events;
    }

    private static async Task<HttpResponseMessage> AskForTokenAsync(HttpClient session)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/token/");
        request.Headers.Add("X-CSRF", "1");
        return await session.SendAsync(request);
    }

    [Fact]
    public async Task The_token_response_names_the_account_lives_15_minutes_is_ES256_and_is_never_cached()
    {
        var admin = await app.VerifiedUserAsync(admin: true);
        var session = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(session, admin["username"]!, admin["password"]!)).StatusCode);

        using var response = await AskForTokenAsync(session);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore, "Cache-Control: no-store");
        Assert.Contains("no-cache", response.Headers.Pragma.Select(p => p.Name));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(900, body.GetProperty("expires_in").GetInt32());
        var jwt = new JsonWebToken(body.GetProperty("access_token").GetString());
        var id = await app.Database.ScalarAsync<Guid>("SELECT id FROM users WHERE email = $1", admin["email"]!);
        Assert.Equal("ES256", jwt.Alg);
        Assert.Equal(id.ToString(), jwt.Subject);
        Assert.Equal(admin["username"], jwt.GetClaim("name").Value);
        Assert.Equal(admin["email"], jwt.GetClaim("email").Value);
        Assert.Equal("0", jwt.GetClaim("ver").Value);
        Assert.Equal(TimeSpan.FromMinutes(15), jwt.ValidTo - jwt.IssuedAt);
        Assert.Equal(HttpStatusCode.OK, await CallAsync(jwt.EncodedToken));
    }

    [Fact]
    public async Task A_token_Identity_issues_verifies_with_the_public_key_alone_which_cannot_sign()
    {
        var (_, _, token) = await app.AccountWithTokenAsync();
        var verifierOnly = new AuthOptions { PublicKey = TestAdminTokens.PublicKeyPem };

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, AdminAuth.ValidationParameters(verifierOnly));

        Assert.True(result.IsValid, result.Exception?.Message);
        Assert.False(AdminTokenKeys.TryLoadPrivate(verifierOnly, out _));
        // The public key in the private key's place is not a signing key either.
        Assert.False(AdminTokenKeys.TryLoadPrivate(new AuthOptions { PublicKey = TestAdminTokens.PublicKeyPem, PrivateKey = TestAdminTokens.PublicKeyPem }, out _));
    }

    [Fact]
    public async Task Forged_tokens_carrying_a_real_admins_claims_get_401()
    {
        var (_, _, token) = await app.AccountWithTokenAsync();
        Assert.Equal(HttpStatusCode.OK, await CallAsync(token));

        foreach (var (name, forged) in TestAdminTokens.Forgeries(token))
        {
            Assert.True(await CallAsync(forged) == HttpStatusCode.Unauthorized, $"a token forged by {name} got in");
        }
    }

    [Fact]
    public async Task Tokens_of_an_unknown_account_or_another_token_version_get_401()
    {
        var (form, id, token) = await app.AccountWithTokenAsync();
        Assert.Equal(HttpStatusCode.OK, await CallAsync(token));

        // Signed with the real key (as a leaked key or a bug would), but naming nobody, or the wrong version.
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(TestAdminTokens.Mint(Guid.NewGuid(), 0, [AdminAuth.AdminRole])));
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(TestAdminTokens.Mint(id, 1, [AdminAuth.AdminRole], form["username"]!, form["email"]!)));
    }

    [Fact]
    public async Task Deactivating_an_admin_kills_its_token_at_once_and_announces_the_new_version()
    {
        var (_, id, token) = await app.AccountWithTokenAsync();
        Assert.Equal(HttpStatusCode.OK, await CallAsync(token));
        var other = await app.AdminClientAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await other.PostAsync($"/api/admin/users/{id}/deactivate", null)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(token));
        var revoked = Assert.Single(await RevocationsAsync(id));
        Assert.Equal(1, revoked.GetProperty("tokenVersion").GetInt32());
        Assert.Equal(AdminTokenRevocation.Deactivated, revoked.GetProperty("reason").GetString());
        Assert.Equal(1, await app.Database.ScalarAsync<int>("SELECT token_version FROM users WHERE id = $1", id));
    }

    [Fact]
    public async Task Removing_the_admin_role_kills_its_token_and_the_account_gets_no_new_one()
    {
        var (form, id, token) = await app.AccountWithTokenAsync();
        Assert.Equal(HttpStatusCode.OK, await CallAsync(token));
        var other = await app.AdminClientAsync();

        Assert.Equal(HttpStatusCode.NoContent, (await other.DeleteAsync($"/api/admin/users/{id}/roles/admin")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(token));
        Assert.Equal(AdminTokenRevocation.RoleRemoved, Assert.Single(await RevocationsAsync(id)).GetProperty("reason").GetString());
        var session = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(session, form["username"]!, form["password"]!)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await AskForTokenAsync(session)).StatusCode);
        // Removing a role the account does not have changes nothing and announces nothing.
        Assert.Equal(HttpStatusCode.NoContent, (await other.DeleteAsync($"/api/admin/users/{id}/roles/admin")).StatusCode);
        Assert.Single(await RevocationsAsync(id));
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/admin/users/{Guid.NewGuid()}/roles/admin")).StatusCode);
    }

    [Fact]
    public async Task A_new_password_through_a_reset_link_kills_the_admins_tokens_within_seconds()
    {
        var (form, id, token) = await app.AccountWithTokenAsync();
        Assert.Equal(HttpStatusCode.OK, await CallAsync(token));
        var reset = await app.Client().PostAsJsonAsync("/api/auth/password-reset/", new { email = form["email"], locale = "en" });
        Assert.Equal(HttpStatusCode.Accepted, reset.StatusCode);
        var url = (await app.EventsAsync("PasswordResetRequested", form["email"]!))[^1].GetProperty("resetUrl").GetString()!;
        var link = url[(url.IndexOf("token=", StringComparison.Ordinal) + 6)..];

        var confirmed = await app.Client().PostAsJsonAsync("/api/auth/password-reset/confirm/", new { token = link, password = "Fresh-Meadow-2741", locale = "en" });

        Assert.Equal(HttpStatusCode.NoContent, confirmed.StatusCode);
        Assert.Equal(AdminTokenRevocation.PasswordChanged, Assert.Single(await RevocationsAsync(id)).GetProperty("reason").GetString());
        // This instance may have remembered the account for up to two seconds.
        await Eventually.HoldsAsync(async () => await CallAsync(token) == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(10), "the old token is refused");
    }

    [Fact]
    public async Task Concurrent_deactivations_each_raise_the_version_so_none_is_lost()
    {
        var (_, id, token) = await app.AccountWithTokenAsync();
        var other = await app.AdminClientAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => other.PostAsync($"/api/admin/users/{id}/deactivate", null)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.NoContent, a.StatusCode));
        Assert.Equal(8, await app.Database.ScalarAsync<int>("SELECT token_version FROM users WHERE id = $1", id));
        Assert.Equal(Enumerable.Range(1, 8), (await RevocationsAsync(id)).Select(e => e.GetProperty("tokenVersion").GetInt32()).Order());
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(token));
    }

    [Fact]
    public async Task The_admin_token_command_serves_only_a_real_active_admin_for_at_most_an_hour()
    {
        var (admin, id, _) = await app.AccountWithTokenAsync();
        var (user, _, _) = await app.AccountWithTokenAsync(admin: false);

        async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
        {
            var output = new StringWriter();
            var errors = new StringWriter();
            var code = await AdminTokenCommand.RunAsync(app.Services, ["admin-token", .. args], output, errors);
            return (code, output.ToString().Trim(), errors.ToString());
        }

        Assert.Equal(2, (await RunAsync()).Code);
        Assert.Contains("No account", (await RunAsync("--name", $"nobody_{Guid.NewGuid():N}"[..20])).Err, StringComparison.Ordinal);
        Assert.Contains("not an admin", (await RunAsync("--name", user["username"]!)).Err, StringComparison.Ordinal);
        Assert.Equal(2, (await RunAsync("--name", admin["username"]!, "--minutes", "61")).Code);
        Assert.Equal(2, (await RunAsync("--name", admin["username"]!, "--minutes", "1440")).Code);

        var byDefault = await RunAsync("--name", admin["email"]!);
        var hour = await RunAsync("--name", admin["username"]!, "--minutes", "60");
        Assert.Equal(0, byDefault.Code);
        var jwt = new JsonWebToken(byDefault.Out);
        Assert.Equal(id.ToString(), jwt.Subject);
        Assert.Equal(TimeSpan.FromMinutes(15), jwt.ValidTo - jwt.IssuedAt);
        Assert.Equal(TimeSpan.FromMinutes(60), new JsonWebToken(hour.Out).ValidTo - new JsonWebToken(hour.Out).IssuedAt);
        Assert.Equal(HttpStatusCode.OK, await CallAsync(byDefault.Out));

        var other = await app.AdminClientAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await other.PostAsync($"/api/admin/users/{id}/deactivate", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(byDefault.Out));
        Assert.Contains("not active", (await RunAsync("--name", admin["username"]!)).Err, StringComparison.Ordinal);
    }
}
