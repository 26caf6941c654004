using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SalesMind.Identity.Data;
using SalesMind.Identity.Deletion;

namespace SalesMind.Identity.Tests;

[Collection(IdentityCollection.Name)]
public sealed class AccountDeletionTests(IdentityApp app)
{
    /// <summary>A verified account and a client signed in to it.</summary>
    private async Task<(Dictionary<string, string?> Form, HttpClient Client)> SignedInAsync(bool admin = false)
    {
        var form = await app.VerifiedUserAsync(admin);
        var client = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(client, form["username"]!, form["password"]!)).StatusCode);
        return (form, client);
    }

    private static Task<HttpResponseMessage> DeleteAsync(HttpClient client, string password, bool csrf = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/account/delete/") { Content = JsonContent.Create(new { password, locale = "en" }) };
        if (csrf)
        {
            request.Headers.Add("X-CSRF", "1");
        }

        return client.SendAsync(request);
    }

    private Task<Guid> IdOfAsync(string email) =>
        app.Database.ScalarAsync<Guid>("SELECT id FROM users WHERE email = $1 ORDER BY created_at LIMIT 1", email)!;

    private Task<long> LiveAccountsAsync(string email) =>
        app.Database.ScalarAsync<long>("SELECT count(*) FROM users WHERE normalized_email = lower($1) AND deleted_at IS NULL", email);

    [Fact]
    public async Task A_wrong_password_is_refused_counted_like_a_login_and_locks_after_the_limit()
    {
        var (form, client) = await SignedInAsync();
        var id = await IdOfAsync(form["email"]!);

        var wrong = await DeleteAsync(client, "Not-The-Password-1");

        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        var problem = await wrong.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("The password is wrong.", problem.GetProperty("errors").GetProperty("password")[0].GetString());
        Assert.Equal(1, await app.Database.ScalarAsync<int>("SELECT failures FROM login_failures WHERE key = $1", $"user:{id:N}"));
        for (var i = 0; i < 4; i++)
        {
            await DeleteAsync(client, "Not-The-Password-1");
        }

        // The limit is login's: now even the right password waits, here and at login.
        var locked = await DeleteAsync(client, form["password"]!);
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.NotNull(locked.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await IdentityApp.LoginAsync(app.Client(), form["username"]!, form["password"]!)).StatusCode);
        Assert.Equal(1, await LiveAccountsAsync(form["email"]!));
    }

    [Fact]
    public async Task Deletion_needs_the_csrf_header_and_a_session()
    {
        var (form, client) = await SignedInAsync();

        Assert.Equal(HttpStatusCode.Forbidden, (await DeleteAsync(client, form["password"]!, csrf: false)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await DeleteAsync(app.Client(), form["password"]!)).StatusCode);
        var forged = app.Client();
        forged.DefaultRequestHeaders.Add("Cookie", "sm_session=" + new string('A', 43));
        Assert.Equal(HttpStatusCode.Unauthorized, (await DeleteAsync(forged, form["password"]!)).StatusCode);
        Assert.Equal(1, await LiveAccountsAsync(form["email"]!));
    }

    [Fact]
    public async Task Another_persons_session_cannot_delete_an_account_even_with_its_password()
    {
        var victim = IdentityApp.NewSignup();
        victim["password"] = "Victim-Lantern-5531";
        await app.RegisterAsync(victim);
        var link = (await app.EventsAsync("UserRegistered", victim["email"]!))[0].GetProperty("verificationUrl").GetString()!;
        await app.Client().GetAsync(link[IdentityApp.PublicBaseUrl.Length..]);
        var (attackerForm, attacker) = await SignedInAsync();

        // The session says whose account it is: the victim's password is simply wrong for the attacker's.
        var attempt = await DeleteAsync(attacker, victim["password"]!);

        Assert.Equal(HttpStatusCode.BadRequest, attempt.StatusCode);
        Assert.Equal(1, await LiveAccountsAsync(victim["email"]!));
        Assert.Equal(1, await LiveAccountsAsync(attackerForm["email"]!));
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(app.Client(), victim["email"]!, victim["password"]!)).StatusCode);
    }

    [Fact]
    public async Task Deletion_ends_every_session_and_admin_token_and_announces_the_address_for_erasure()
    {
        // Another admin first: the last active admin may not delete itself (UserAdminGuardTests).
        await app.VerifiedUserAsync(admin: true);
        var (form, client) = await SignedInAsync(admin: true);
        var other = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(other, form["email"]!, form["password"]!)).StatusCode);
        var id = await IdOfAsync(form["email"]!);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var user = await scope.ServiceProvider.GetRequiredService<IdentityDb>().Users.AsNoTracking().SingleAsync(u => u.Id == id);
            var token = app.Services.GetRequiredService<SalesMind.Identity.AdminTokens.AdminTokenIssuer>().Issue(user, TimeSpan.FromMinutes(5));
            other.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }

        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/admin/users/")).StatusCode);

        var deleted = await DeleteAsync(client, form["password"]!);

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        var body = await deleted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("deleted", body.GetProperty("status").GetString());
        Assert.Contains(deleted.Headers.GetValues("Set-Cookie"), c => c.StartsWith("sm_session=;", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/auth/me/")).StatusCode);
        other.DefaultRequestHeaders.Authorization = null;
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.GetAsync("/api/auth/me/")).StatusCode);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var user = await scope.ServiceProvider.GetRequiredService<IdentityDb>().Users.AsNoTracking().SingleAsync(u => u.Id == id);
            Assert.NotNull(user.DeletedAt);
            Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM sessions WHERE user_id = $1", id));
        }

        var admin = app.Client();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", await OldTokenAsync(id));
        Assert.Equal(HttpStatusCode.Unauthorized, (await admin.GetAsync("/api/admin/users/")).StatusCode);
        var announced = Assert.Single(await app.EventsAsync("AccountDeleted", form["email"]!));
        Assert.Equal(id, announced.GetProperty("userId").GetGuid());
        Assert.Equal(1, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM outbox_message WHERE message_type = 'SalesMind.Contracts.AdminTokensRevoked' AND (body->>'userId')::uuid = $1", id));
        Assert.Equal(1, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM account_audit WHERE target_user_id = $1 AND action = $2", id, AccountDeletion.AuditAction));
    }

    /// <summary>A token carrying the account's version from before the deletion.</summary>
    private async Task<string> OldTokenAsync(Guid id)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<IdentityDb>().Users.AsNoTracking().SingleAsync(u => u.Id == id);
        user.TokenVersion -= 1;
        user.IsActive = true;
        return app.Services.GetRequiredService<SalesMind.Identity.AdminTokens.AdminTokenIssuer>().Issue(user, TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task The_old_credentials_fail_like_an_unknown_name_and_the_same_address_and_name_sign_up_again_at_once()
    {
        var (form, client) = await SignedInAsync();
        Assert.Equal(HttpStatusCode.OK, (await DeleteAsync(client, form["password"]!)).StatusCode);

        foreach (var identifier in new[] { form["username"]!, form["email"]!, AccountDeletion.Placeholder(await IdOfAsync(form["email"]!)) })
        {
            var login = await IdentityApp.LoginAsync(app.Client(), identifier, form["password"]!);
            Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
            Assert.Equal("Login failed", (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        }

        var again = await app.RegisterAsync(form);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        var links = await app.EventsAsync("UserRegistered", form["email"]!);
        Assert.Equal(2, links.Count);
        var verified = await app.Client().GetAsync(links[^1].GetProperty("verificationUrl").GetString()![IdentityApp.PublicBaseUrl.Length..]);
        Assert.Equal("/email_verified.html", verified.Headers.Location?.OriginalString);
        var login2 = await IdentityApp.LoginAsync(app.Client(), form["email"]!, form["password"]!);
        Assert.Equal(HttpStatusCode.OK, login2.StatusCode);
        Assert.Equal(form["username"], (await login2.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("username").GetString());
    }

    [Fact]
    public async Task Two_deletions_at_once_from_two_tabs_delete_and_announce_once()
    {
        var (form, client) = await SignedInAsync();
        var id = await IdOfAsync(form["email"]!);

        var answers = await Task.WhenAll(DeleteAsync(client, form["password"]!), DeleteAsync(client, form["password"]!));

        // Each tab is told the account is gone (the second finds it already deleted, or its session already ended).
        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Unauthorized }));
        Assert.Contains(answers, a => a.StatusCode == HttpStatusCode.OK);
        Assert.Single(await app.EventsAsync("AccountDeleted", form["email"]!));
        Assert.Equal(1, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM account_audit WHERE target_user_id = $1 AND action = $2", id, AccountDeletion.AuditAction));
    }

    [Fact]
    public async Task The_addresses_the_account_had_before_are_announced_for_erasure_each_until_it_left_them()
    {
        var (form, client) = await SignedInAsync();
        var id = await IdOfAsync(form["email"]!);
        var old = $"old-{Guid.NewGuid():N}@mail.test";
        var undone = $"undone-{Guid.NewGuid():N}@mail.test";
        var pending = $"pending-{Guid.NewGuid():N}@mail.test";
        // A confirmed change away from `old`, one to `undone` that was undone, one still pending
        // (whose address may be someone else's: not announced).
        await app.Database.ExecuteAsync(
            """
            INSERT INTO email_changes (id, user_id, old_email, new_email, normalized_new_email, token_hash, code_hash, code_attempts,
                created_at, expires_at, confirmed_at, undone_at)
            VALUES (gen_random_uuid(), $1, $2, $5, $5, decode(md5(random()::text), 'hex'), decode('00', 'hex'), 0,
                    now() - interval '3 days', now() - interval '2 days', now() - interval '3 days', NULL),
                   (gen_random_uuid(), $1, $5, $3, $3, decode(md5(random()::text), 'hex'), decode('00', 'hex'), 0,
                    now() - interval '2 days', now() - interval '1 day', now() - interval '2 days', now() - interval '1 day'),
                   (gen_random_uuid(), $1, $5, $4, $4, decode(md5(random()::text), 'hex'), decode('00', 'hex'), 0,
                    now(), now() + interval '1 day', NULL, NULL)
            """, id, old, undone, pending, form["email"]!);

        Assert.Equal(HttpStatusCode.OK, (await DeleteAsync(client, form["password"]!)).StatusCode);

        var announced = Assert.Single(await app.EventsAsync("AccountDeleted", form["email"]!));
        var past = announced.GetProperty("pastAddresses").EnumerateArray().Select(p => p.GetProperty("email").GetString()).ToList();
        Assert.Contains(old, past);
        Assert.Contains(undone, past);
        Assert.DoesNotContain(pending, past);
    }

    [Fact]
    public async Task Pending_links_die_with_the_account()
    {
        var (form, client) = await SignedInAsync();
        var id = await IdOfAsync(form["email"]!);
        var reset = new HttpRequestMessage(HttpMethod.Post, "/api/auth/password-reset/") { Content = JsonContent.Create(new { email = form["email"], locale = "en" }) };
        await app.Client().SendAsync(reset);

        Assert.Equal(HttpStatusCode.OK, (await DeleteAsync(client, form["password"]!)).StatusCode);

        Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM password_reset_tokens WHERE user_id = $1", id));
        Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM email_verification_tokens WHERE user_id = $1", id));
    }

    [Fact]
    public async Task The_row_is_removed_after_the_grace_period_once_even_with_two_instances_at_work()
    {
        var due = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var (f, c) = await SignedInAsync();
            Assert.Equal(HttpStatusCode.OK, (await DeleteAsync(c, f["password"]!)).StatusCode);
            due.Add(await IdOfAsync(f["email"]!));
        }

        var (young, youngClient) = await SignedInAsync();
        Assert.Equal(HttpStatusCode.OK, (await DeleteAsync(youngClient, young["password"]!)).StatusCode);
        var youngId = await IdOfAsync(young["email"]!);
        foreach (var id in due)
        {
            await app.Database.ExecuteAsync("UPDATE users SET deleted_at = now() - interval '15 days' WHERE id = $1", id);
        }

        await using var second = app.WithWebHostBuilder(_ => { });
        var jobs = new[] { app.Services.GetRequiredService<DeletedAccountPurge>(), second.Services.GetRequiredService<DeletedAccountPurge>() };
        Assert.NotSame(jobs[0], jobs[1]);
        await Task.WhenAll(jobs.SelectMany(job => new[] { job.RunOnceAsync(CancellationToken.None), job.RunOnceAsync(CancellationToken.None) }));

        foreach (var id in due)
        {
            // The host's own clean-up job may hold a row (SKIP LOCKED passes it by) and commit a moment later.
            await TestSupport.Eventually.HoldsAsync(
                async () => await app.Database.ScalarAsync<long>("SELECT count(*) FROM users WHERE id = $1", id) == 0,
                TimeSpan.FromSeconds(30), "the deleted account's row is purged");
            Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM user_profiles WHERE user_id = $1", id));
            Assert.Equal(1, await app.Database.ScalarAsync<long>(
                "SELECT count(*) FROM account_audit WHERE target_user_id = $1 AND action = $2", id, DeletedAccountPurge.AuditAction));
            // Who did what and when stays; the fields and the owner's name as an actor do not.
            Assert.Equal(0, await app.Database.ScalarAsync<long>(
                "SELECT count(*) FROM account_audit WHERE target_user_id = $1 AND action <> $2 AND (before IS NOT NULL OR after IS NOT NULL)",
                id, DeletedAccountPurge.AuditAction));
            Assert.Equal(0, await app.Database.ScalarAsync<long>(
                "SELECT count(*) FROM account_audit WHERE actor_id = $1 AND actor_name <> $2", id, DeletedAccountPurge.ErasedActor));
        }

        // Still within its 14 days.
        Assert.Equal(1, await app.Database.ScalarAsync<long>("SELECT count(*) FROM users WHERE id = $1", youngId));
    }
}
