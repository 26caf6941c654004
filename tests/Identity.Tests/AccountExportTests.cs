using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SalesMind.Identity.Audit;
using SalesMind.Identity.Data;

namespace SalesMind.Identity.Tests;

[Collection(IdentityCollection.Name)]
public sealed class AccountExportTests(IdentityApp app)
{
    private async Task<(Dictionary<string, string?> Form, HttpClient Client, Guid Id)> SignedInAsync()
    {
        var form = await app.VerifiedUserAsync();
        var client = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(client, form["username"]!, form["password"]!)).StatusCode);
        var id = (await app.Database.ScalarAsync<Guid>("SELECT id FROM users WHERE email = $1", form["email"]!))!;
        return (form, client, id);
    }

    [Fact]
    public async Task The_file_holds_every_part_about_the_person_and_no_secret()
    {
        var (form, client, id) = await SignedInAsync();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityDb>();
            AccountAudit.Add(db, null, id, "profile.updated", new { industry = "retail" }, new { industry = "software" }, DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
        }

        // The mail history: two emails to the address since the account was made, one to the same
        // address from before it (another account's), one to someone else.
        await app.Database.ExecuteAsync("""
            INSERT INTO email_message_states (source_message_id, recipient, template, status, diagnostic, occurred_at)
            SELECT gen_random_uuid(), e.recipient, e.template, e.status, e.diagnostic, u.created_at + e.after
              FROM users u, (VALUES (lower($1), 'welcome', 'delivered', '250 2.0.0 Ok', interval '2 seconds'),
                                    (lower($1), 'password-reset', 'bounced', '550 5.2.2 mailbox full', interval '1 second'),
                                    (lower($1), 'welcome', 'delivered', '250 2.0.0 Ok', interval '-30 days'),
                                    ('someone-else-' || lower($1), 'welcome', 'delivered', '250 2.0.0 Ok', interval '1 second'))
                             AS e (recipient, template, status, diagnostic, after)
             WHERE u.email = $1
            """, form["email"]!);

        var response = await client.GetAsync("/api/account/export/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"salesmind-account-{form["username"]}.json", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.True(response.Headers.CacheControl?.NoStore);
        var text = await response.Content.ReadAsStringAsync();
        var file = JsonDocument.Parse(text).RootElement;
        Assert.Equal(form["username"], file.GetProperty("account").GetProperty("username").GetString());
        Assert.Equal(form["email"], file.GetProperty("account").GetProperty("email").GetString());
        Assert.Equal("software", file.GetProperty("profile").GetProperty("industry").GetString());
        Assert.Equal(JsonValueKind.Array, file.GetProperty("roles").ValueKind);
        Assert.Equal(1, file.GetProperty("sessions").GetArrayLength());
        Assert.True(file.GetProperty("sessions")[0].TryGetProperty("device", out _));
        Assert.True(file.GetProperty("sessions")[0].TryGetProperty("address", out _));
        Assert.Equal(1, file.GetProperty("known_devices").GetArrayLength());
        Assert.Equal(["created_at", "expires_at"], file.GetProperty("known_devices")[0].EnumerateObject().Select(p => p.Name));
        Assert.Contains(file.GetProperty("audit_entries").EnumerateArray(), a => a.GetProperty("action").GetString() == "profile.updated");
        // (The real verification email may be listed too, once the mail service reported on it.)
        var emails = file.GetProperty("emails").EnumerateArray().ToList();
        Assert.Contains(emails, e => e.GetProperty("template").GetString() == "password-reset" && e.GetProperty("status").GetString() == "bounced");
        Assert.Single(emails, e => e.GetProperty("template").GetString() == "welcome" && e.GetProperty("status").GetString() == "delivered");
        Assert.All(emails, e => Assert.Equal(form["email"]!.ToLowerInvariant(), e.GetProperty("address").GetString()));
        var createdAt = file.GetProperty("account").GetProperty("created_at").GetDateTimeOffset();
        Assert.All(emails, e => Assert.True(e.GetProperty("at").GetDateTimeOffset() >= createdAt, "an email from before the account"));

        // No hash, token or password anywhere: neither a field named so nor a stored value.
        Assert.DoesNotContain(Names(file), n => n.Contains("hash", StringComparison.Ordinal) || n.Contains("token", StringComparison.Ordinal)
            || n.Contains("password", StringComparison.Ordinal));
        var storedHash = (await app.Database.ScalarAsync<string>("SELECT password_hash FROM users WHERE id = $1", id))!;
        Assert.DoesNotContain(storedHash, text, StringComparison.Ordinal);
        Assert.DoesNotContain(form["password"]!, text, StringComparison.Ordinal);
        var sessionHash = (await app.Database.ScalarAsync<byte[]>("SELECT token_hash FROM sessions WHERE user_id = $1", id))!;
        Assert.DoesNotContain(Convert.ToBase64String(sessionHash), text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString(sessionHash), text, StringComparison.OrdinalIgnoreCase);
    }

    private static IEnumerable<string> Names(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Names(p.Value).Prepend(p.Name)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Names),
        _ => [],
    };

    [Fact]
    public async Task A_session_exports_its_own_account_only_and_nothing_without_one()
    {
        var (victim, _, _) = await SignedInAsync();
        var (attacker, attackerClient, _) = await SignedInAsync();

        var text = await (await attackerClient.GetAsync("/api/account/export/")).Content.ReadAsStringAsync();

        Assert.Contains(attacker["email"]!, text, StringComparison.Ordinal);
        Assert.DoesNotContain(victim["email"]!, text, StringComparison.Ordinal);
        Assert.DoesNotContain(victim["username"]!, text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client().GetAsync("/api/account/export/")).StatusCode);
        var forged = app.Client();
        forged.DefaultRequestHeaders.Add("Cookie", "sm_session=" + new string('A', 43));
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/api/account/export/")).StatusCode);
    }

    [Fact]
    public async Task A_deleted_accounts_old_session_cookie_exports_nothing()
    {
        var form = await app.VerifiedUserAsync();
        var client = app.Client();
        var login = await IdentityApp.LoginAsync(client, form["username"]!, form["password"]!);
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("sm_session=", StringComparison.Ordinal)).Split(';')[0];
        var delete = new HttpRequestMessage(HttpMethod.Post, "/api/account/delete/") { Content = JsonContent.Create(new { password = form["password"] }) };
        delete.Headers.Add("X-CSRF", "1");

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(delete)).StatusCode);

        // The browser forgot the cookie; someone who copied it before gets nothing either.
        var replay = app.Client();
        replay.DefaultRequestHeaders.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, (await replay.GetAsync("/api/account/export/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await replay.GetAsync("/api/auth/me/")).StatusCode);
    }

    [Fact]
    public async Task Exports_are_limited_per_session()
    {
        var (_, client, _) = await SignedInAsync();

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add((await client.GetAsync("/api/account/export/")).StatusCode);
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, 5).Append(HttpStatusCode.TooManyRequests), answers);
    }
}
