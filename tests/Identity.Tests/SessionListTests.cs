using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SalesMind.Identity.Security;
using static SalesMind.Identity.Tests.AccountRequests;

namespace SalesMind.Identity.Tests;

/// <summary>The owner's list of sessions: what it shows, what it never shows, and ending sessions.</summary>
[Collection(IdentityCollection.Name)]
public sealed class SessionListTests(IdentityApp app)
{
    private const string Url = "/api/account/sessions/";

    private static async Task<List<JsonElement>> ListAsync(HttpClient client)
    {
        var answer = await client.GetAsync(Url);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return (await answer.JsonAsync()).GetProperty("sessions").EnumerateArray().ToList();
    }

    private static string CookieOf(HttpResponseMessage login) =>
        login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("sm_session=", StringComparison.Ordinal)).Split(';')[0]["sm_session=".Length..];

    [Fact]
    public async Task The_list_names_each_browser_marks_this_one_and_holds_no_token_material()
    {
        var form = await app.VerifiedUserAsync();
        var tokens = new List<string>();
        var clients = new List<HttpClient>();
        foreach (var agent in new[] { Chrome, Firefox })
        {
            var client = app.Client();
            client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", agent);
            tokens.Add(CookieOf(await IdentityApp.LoginAsync(client, form["username"]!, form["password"]!)));
            clients.Add(client);
        }

        var answer = await clients[1].GetAsync(Url);
        var text = await answer.Content.ReadAsStringAsync();
        var sessions = (await answer.JsonAsync()).GetProperty("sessions").EnumerateArray().ToList();

        Assert.Equal(2, sessions.Count);
        var current = Assert.Single(sessions, s => s.GetProperty("current").GetBoolean());
        Assert.Equal(sessions[0], current);
        Assert.Equal("Firefox on Linux", current.GetProperty("device").GetString());
        Assert.Equal("Firefox", current.GetProperty("browser").GetString());
        Assert.Equal("Linux", current.GetProperty("os").GetString());
        Assert.Equal("Chrome on Windows", sessions[1].GetProperty("device").GetString());
        Assert.True(current.GetProperty("last_seen_at").GetDateTimeOffset() >= current.GetProperty("created_at").GetDateTimeOffset());
        // Neither the cookie's token nor its stored hash, in any common spelling.
        foreach (var token in tokens)
        {
            var hash = OpaqueToken.Hash(token);
            Assert.DoesNotContain(token, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToHexString(hash), text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Convert.ToBase64String(hash), text, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(hash).TrimEnd('=').Replace('+', '-').Replace('/', '_'), text, StringComparison.Ordinal);
        }

        var names = current.EnumerateObject().Select(p => p.Name).Order().ToList();
        Assert.Equal(["browser", "client_address", "created_at", "current", "device", "id", "last_seen_at", "os"], names);
    }

    [Fact]
    public async Task Ending_one_session_signs_that_browser_out_and_is_audited()
    {
        var form = await app.VerifiedUserAsync();
        var here = await SignedInAsync(app, form, Chrome);
        var there = await SignedInAsync(app, form, Firefox);
        var other = (await ListAsync(here)).Single(s => !s.GetProperty("current").GetBoolean()).GetProperty("id").GetGuid();

        var ended = await SendAsync(here, HttpMethod.Delete, Url + other);
        var again = await SendAsync(here, HttpMethod.Delete, Url + other);

        Assert.Equal(HttpStatusCode.NoContent, ended.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await there.GetAsync("/api/auth/me/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await here.GetAsync("/api/auth/me/")).StatusCode);
        Assert.Single(await ListAsync(here));
        var entry = Assert.Single(await AuditAsync(app, await UserIdAsync(app, form), "session.ended"));
        Assert.Contains(other.ToString(), entry.Before!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nobody_can_end_another_accounts_session_and_its_id_gets_the_same_404_as_an_unknown_one()
    {
        var victim = await app.VerifiedUserAsync();
        var victimClient = await SignedInAsync(app, victim);
        var victimSession = (await ListAsync(victimClient)).Single().GetProperty("id").GetGuid();
        var attacker = await SignedInAsync(app, await app.VerifiedUserAsync());

        var theirs = await SendAsync(attacker, HttpMethod.Delete, Url + victimSession);
        var unknown = await SendAsync(attacker, HttpMethod.Delete, Url + Guid.NewGuid());

        Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(await unknown.Content.ReadAsStringAsync(), await theirs.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await victimClient.GetAsync("/api/auth/me/")).StatusCode);
        // Nor do they see it: each list holds its owner's sessions only.
        Assert.DoesNotContain(await ListAsync(attacker), s => s.GetProperty("id").GetGuid() == victimSession);
        // A malformed id is no route at all.
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(attacker, HttpMethod.Delete, Url + "1 OR 1=1")).StatusCode);
    }

    [Fact]
    public async Task Sign_out_everywhere_else_ends_every_other_session_and_keeps_this_one()
    {
        var form = await app.VerifiedUserAsync();
        var here = await SignedInAsync(app, form);
        var others = new[] { await SignedInAsync(app, form, Firefox), await SignedInAsync(app, form, "curl/8.5.0") };
        var stranger = await SignedInAsync(app, await app.VerifiedUserAsync());

        var answer = await SendAsync(here, HttpMethod.Post, Url + "end-others/");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(2, (await answer.JsonAsync()).GetProperty("ended").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await here.GetAsync("/api/auth/me/")).StatusCode);
        foreach (var other in others)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await other.GetAsync("/api/auth/me/")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await stranger.GetAsync("/api/auth/me/")).StatusCode);
        Assert.True(Assert.Single(await ListAsync(here)).GetProperty("current").GetBoolean());
        Assert.Single(await AuditAsync(app, await UserIdAsync(app, form), "sessions.ended_others"));
    }

    [Fact]
    public async Task Ending_this_very_session_signs_this_browser_out()
    {
        var form = await app.VerifiedUserAsync();
        var client = await SignedInAsync(app, form);
        var mine = (await ListAsync(client)).Single().GetProperty("id").GetGuid();

        var answer = await SendAsync(client, HttpMethod.Delete, Url + mine);

        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Contains(answer.Headers.GetValues("Set-Cookie"), c => c.StartsWith("sm_session=;", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(Url)).StatusCode);
    }

    [Fact]
    public async Task Without_a_session_401_and_without_the_csrf_header_403()
    {
        var form = await app.VerifiedUserAsync();
        var client = await SignedInAsync(app, form);
        var other = await SignedInAsync(app, form, Firefox);
        var otherId = (await ListAsync(client)).Single(s => !s.GetProperty("current").GetBoolean()).GetProperty("id").GetGuid();

        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client().GetAsync(Url)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(app.Client(), HttpMethod.Post, Url + "end-others/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(app.Client(), HttpMethod.Delete, Url + otherId)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(client, HttpMethod.Post, Url + "end-others/", csrf: false)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(client, HttpMethod.Delete, Url + otherId, csrf: false)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/auth/me/")).StatusCode);
    }

    [Fact]
    public async Task Last_seen_moves_when_the_session_is_used_but_at_most_once_a_minute()
    {
        var form = await app.VerifiedUserAsync();
        var client = await SignedInAsync(app, form);
        var id = (await ListAsync(client)).Single().GetProperty("id").GetGuid();

        await app.Database.ExecuteAsync("UPDATE sessions SET last_seen_at = now() - interval '10 minutes' WHERE id = $1", id);
        await client.GetAsync("/api/auth/me/");
        var moved = await app.Database.ScalarAsync<DateTime>("SELECT last_seen_at FROM sessions WHERE id = $1", id);
        await app.Database.ExecuteAsync("UPDATE sessions SET last_seen_at = now() - interval '30 seconds' WHERE id = $1", id);
        var recent = await app.Database.ScalarAsync<DateTime>("SELECT last_seen_at FROM sessions WHERE id = $1", id);
        await client.GetAsync("/api/auth/me/");
        await client.GetAsync(Url);

        Assert.InRange(DateTime.UtcNow - moved.ToUniversalTime(), TimeSpan.Zero - TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30));
        Assert.Equal(recent, await app.Database.ScalarAsync<DateTime>("SELECT last_seen_at FROM sessions WHERE id = $1", id));
    }

    [Fact]
    public async Task A_long_or_hostile_user_agent_is_cut_and_cleaned_before_it_is_stored()
    {
        var form = await app.VerifiedUserAsync();
        var client = app.Client();
        client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", "Firefox/133.0 " + new string('x', 2000));
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(client, form["username"]!, form["password"]!)).StatusCode);

        var stored = await app.Database.ScalarAsync<string>(
            "SELECT s.user_agent FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = $1", form["email"]!);

        Assert.Equal(512, stored!.Length);
        Assert.Equal("Firefox", Assert.Single(await ListAsync(client)).GetProperty("device").GetString());
    }
}

/// <summary>The address a session records is the client's as the login limits see it: nginx's X-Forwarded-For, believed from a known proxy only.</summary>
public sealed class SessionAddressTests(ProxyApp app) : IClassFixture<ProxyApp>
{
    [Fact]
    public async Task The_address_recorded_is_the_one_the_proxy_forwarded_and_a_strangers_forged_header_is_ignored()
    {
        var form = await app.VerifiedUserAsync();
        async Task<HttpClient> LoginFromAsync(string peer, string forwardedFor)
        {
            var client = app.Client();
            client.DefaultRequestHeaders.Add("X-Test-Peer", peer);
            client.DefaultRequestHeaders.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
            Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(client, form["username"]!, form["password"]!)).StatusCode);
            return client;
        }

        var throughNginx = await LoginFromAsync("127.0.0.1", "203.0.113.9");
        await LoginFromAsync("198.51.100.20", "10.1.2.3");

        var sessions = (await (await throughNginx.GetAsync("/api/account/sessions/")).JsonAsync()).GetProperty("sessions").EnumerateArray().ToList();

        Assert.Equal(
            ["198.51.100.20", "203.0.113.9"],
            sessions.Select(s => s.GetProperty("client_address").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal("203.0.113.9", sessions.Single(s => s.GetProperty("current").GetBoolean()).GetProperty("client_address").GetString());
    }
}
