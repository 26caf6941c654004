using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SalesMind.Identity.AdminTokens;
using SalesMind.ServiceDefaults;
using SalesMind.TestSupport;

namespace SalesMind.Identity.Tests;

/// <summary>Who may not change accounts, however they try, and changes racing each other.</summary>
[Collection(IdentityCollection.Name)]
public sealed class UserAdminAttackTests(IdentityApp app)
{
    private static string Run() => Guid.NewGuid().ToString("N")[..8];

    private async Task<HttpStatusCode> GrantWithAsync(HttpClient client, Guid id, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/admin/users/{id}/roles/admin");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private Task<bool> IsAdminAsync(Guid id) => app.Database.ScalarAsync<bool>("SELECT 'admin' = ANY(roles) FROM users WHERE id = $1", id);

    [Fact]
    public async Task A_signed_in_non_admin_an_expired_or_revoked_admin_token_and_a_demoted_admins_token_change_nothing()
    {
        var (_, target) = await TestAccounts.SignUpAsync(app, $"atk{Run()}", verify: true);

        // A non-admin's session cookie (with the CSRF header) is no admin credential.
        var user = await app.VerifiedUserAsync();
        var session = app.Client();
        await IdentityApp.LoginAsync(session, user["username"]!, user["password"]!);
        using (var withCookie = new HttpRequestMessage(HttpMethod.Put, $"/api/admin/users/{target}/roles/admin"))
        {
            withCookie.Headers.Add("X-CSRF", "1");
            Assert.Equal(HttpStatusCode.Unauthorized, (await session.SendAsync(withCookie)).StatusCode);
        }

        // Even an admin's own session cookie: the users API takes only the bearer token.
        var admin = await UserAdminClient.CreateAsync(app);
        var adminSession = app.Client();
        await IdentityApp.LoginAsync(adminSession, admin.Form["username"]!, admin.Form["password"]!);
        Assert.Equal(HttpStatusCode.Unauthorized, await GrantWithAsync(adminSession, target));

        // A token Identity signed two hours ago, for a real admin at its current version: expired.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Data.IdentityDb>();
            var account = await db.Users.FindAsync(admin.Id);
            var past = new AdminTokenIssuer(app.Services.GetRequiredService<IOptions<AuthOptions>>(), new FixedTime(DateTimeOffset.UtcNow.AddHours(-2)));
            Assert.Equal(HttpStatusCode.Unauthorized, await GrantWithAsync(app.Client(), target, past.Issue(account!, TimeSpan.FromMinutes(15))));
        }

        // A non-admin's token signed with the real key (a leaked key would allow it).
        var (_, _, userToken) = await app.AccountWithTokenAsync(admin: false);
        Assert.Equal(HttpStatusCode.Forbidden, await GrantWithAsync(app.Client(), target, userToken));

        // Demoted by another admin: the token that was good a moment ago is refused at once.
        var other = await UserAdminClient.CreateAsync(app);
        Assert.Equal(HttpStatusCode.NoContent, (await other.RevokeAsync(admin.Id)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await GrantWithAsync(app.Client(), target, admin.Token));

        // Deactivated (its tokens revoked): the same.
        var third = await UserAdminClient.CreateAsync(app);
        Assert.Equal(HttpStatusCode.NoContent, (await other.PostAsync(third.Id, "deactivate")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await GrantWithAsync(app.Client(), target, third.Token));

        Assert.False(await IsAdminAsync(target));
        Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM account_audit WHERE target_user_id = $1", target));
    }

    [Fact]
    public async Task An_admin_cannot_take_their_own_admin_role()
    {
        var admin = await UserAdminClient.CreateAsync(app);

        var refused = await admin.RevokeAsync(admin.Id);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("own_admin_role", await UserAdminClient.CodeAsync(refused));
        Assert.True(await IsAdminAsync(admin.Id));
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync("/api/admin/users/?limit=1")).StatusCode);
    }

    [Fact]
    public async Task Concurrent_grants_and_revokes_leave_one_state_that_the_audit_and_the_token_version_agree_with()
    {
        var admin = await UserAdminClient.CreateAsync(app);
        var (_, target) = await TestAccounts.SignUpAsync(app, $"race{Run()}", verify: true);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => i % 2 == 0 ? admin.GrantAsync(target) : admin.RevokeAsync(target)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.NoContent, a.StatusCode));
        var roles = await app.Database.ScalarAsync<string[]>("SELECT roles FROM users WHERE id = $1", target);
        Assert.True(roles!.Count(r => r == "admin") <= 1, $"roles: {string.Join(',', roles!)}");
        // Oldest first: each entry starts where the one before ended, and the last ends in today's state.
        var entries = (await admin.AuditAsync(target)).AsEnumerable().Reverse().ToList();
        Assert.NotEmpty(entries);
        var state = false;
        foreach (var entry in entries)
        {
            var granted = entry.GetProperty("action").GetString() == "role.granted";
            Assert.Equal(state, entry.GetProperty("before").GetProperty("roles").EnumerateArray().Any(r => r.GetString() == "admin"));
            Assert.Equal(!state, granted);
            state = granted;
        }

        Assert.Equal(state, roles.Contains("admin"));
        var revocations = entries.Count(e => e.GetProperty("action").GetString() == "role.revoked");
        Assert.Equal(revocations, await app.Database.ScalarAsync<int>("SELECT token_version FROM users WHERE id = $1", target));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
