using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace SalesMind.Identity.Tests;

/// <summary>
/// At least one active admin always remains. On a database of its own (a fresh Identity), where
/// the test knows every admin there is.
/// </summary>
public sealed class UserAdminGuardTests : IClassFixture<UserAdminGuardTests.LoneIdentity>
{
    private readonly LoneIdentity _app;

    public UserAdminGuardTests(LoneIdentity app) => _app = app;

    /// <summary>Identity on a database no other test class uses.</summary>
    public sealed class LoneIdentity : IdentityApp;

    private Task<long> ActiveAdminsAsync() => _app.Database.ScalarAsync<long>(
        "SELECT count(*) FROM users WHERE 'admin' = ANY(roles) AND is_active AND deactivated_at IS NULL AND deleted_at IS NULL");

    [Fact]
    public async Task The_last_active_admin_cannot_deactivate_themselves_and_two_admins_demoting_each_other_leave_one()
    {
        await _app.Database.ExecuteAsync("UPDATE users SET roles = '{}' WHERE 'admin' = ANY(roles)");
        var first = await UserAdminClient.CreateAsync(_app);
        Assert.Equal(1, await ActiveAdminsAsync());

        var refused = await first.PostAsync(first.Id, "deactivate");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("last_admin", await UserAdminClient.CodeAsync(refused));
        Assert.Equal(1, await ActiveAdminsAsync());
        Assert.Empty(await first.AuditAsync(first.Id));

        // Two admins take each other's role at the same moment: one wins, one admin is left.
        var (_, second) = await TestAccounts.SignUpAsync(_app, $"guard{Guid.NewGuid():N}"[..20], verify: true);
        Assert.Equal(HttpStatusCode.NoContent, (await first.GrantAsync(second)).StatusCode);
        var secondClient = await TokenFor(second);
        var answers = await Task.WhenAll(first.RevokeAsync(second), secondClient.RevokeAsync(first.Id));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.NoContent);
        Assert.Single(answers, a => a.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden);
        Assert.Equal(1, await ActiveAdminsAsync());

        // With another active admin, deactivating oneself is allowed (and ends one's own token).
        var survivor = answers[0].StatusCode == HttpStatusCode.NoContent ? first : secondClient;
        var third = await UserAdminClient.CreateAsync(_app);
        Assert.Equal(HttpStatusCode.NoContent, (await survivor.PostAsync(survivor.Id, "deactivate")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await survivor.Http.GetAsync("/api/admin/users/?limit=1")).StatusCode);
        Assert.Equal(1, await ActiveAdminsAsync());
        Assert.Equal(HttpStatusCode.Conflict, (await third.PostAsync(third.Id, "deactivate")).StatusCode);
    }

    [Fact]
    public async Task The_last_active_admin_cannot_delete_their_own_account_until_another_admin_exists()
    {
        await _app.Database.ExecuteAsync("UPDATE users SET roles = '{}' WHERE 'admin' = ANY(roles)");
        var form = await _app.VerifiedUserAsync(admin: true);
        Assert.Equal(1, await ActiveAdminsAsync());
        var client = _app.Client();
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(client, form["username"]!, form["password"]!)).StatusCode);

        var refused = await DeleteOwnAccountAsync(client, form["password"]!);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("last_admin", await UserAdminClient.CodeAsync(refused));
        Assert.Equal(1, await ActiveAdminsAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/me/")).StatusCode);

        // Once another account is an admin, the first may go.
        await _app.VerifiedUserAsync(admin: true);
        Assert.Equal(HttpStatusCode.OK, (await DeleteOwnAccountAsync(client, form["password"]!)).StatusCode);
        Assert.Equal(1, await ActiveAdminsAsync());
    }

    private static Task<HttpResponseMessage> DeleteOwnAccountAsync(HttpClient client, string password)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/account/delete/")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { password, locale = "en" }),
        };
        request.Headers.Add("X-CSRF", "1");
        return client.SendAsync(request);
    }

    private async Task<UserAdminClient> TokenFor(Guid id)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Data.IdentityDb>();
        var user = await db.Users.FindAsync(id);
        var issuer = _app.Services.GetRequiredService<AdminTokens.AdminTokenIssuer>();
        var token = issuer.Issue(user!, TimeSpan.FromMinutes(5));
        var http = _app.Client();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return new UserAdminClient([], id, token, http);
    }
}
