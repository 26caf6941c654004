using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SalesMind.Identity.Web;

namespace SalesMind.Identity.Tests;

/// <summary>The users API's filters and changes, and the audit each change leaves: who, when, before, after.</summary>
[Collection(IdentityCollection.Name)]
public sealed class UserAdminAuditTests(IdentityApp app)
{
    private static string Run() => Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Each_status_filter_and_the_name_or_address_prefix_find_exactly_their_accounts()
    {
        var admin = await UserAdminClient.CreateAsync(app);
        var run = Run();
        var (_, _) = await TestAccounts.SignUpAsync(app, $"flt{run}_pending", verify: false);
        var (verifiedForm, _) = await TestAccounts.SignUpAsync(app, $"flt{run}_verified", verify: true);
        var (_, locked) = await TestAccounts.SignUpAsync(app, $"flt{run}_locked", verify: true);
        var (_, gone) = await TestAccounts.SignUpAsync(app, $"flt{run}_gone", verify: true);
        await app.Database.ExecuteAsync("UPDATE users SET locked_until = now() + interval '10 minutes' WHERE id = $1", locked);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync(gone, "deactivate")).StatusCode);

        string Name(string s) => $"flt{run}_{s}";
        Assert.Equal([Name("gone"), Name("locked"), Name("pending"), Name("verified")], await admin.NamesAsync($"q=flt{run}"));
        Assert.Equal([Name("locked"), Name("verified")], await admin.NamesAsync($"q=FLT{run}&status=verified"));
        Assert.Equal([Name("pending")], await admin.NamesAsync($"q=flt{run}&status=unverified"));
        Assert.Equal([Name("locked")], await admin.NamesAsync($"q=flt{run}&status=locked"));
        Assert.Equal([Name("gone")], await admin.NamesAsync($"q=flt{run}&status=deactivated"));
        // The address's start finds the account too; another run's prefix finds nothing of this one.
        Assert.Equal([Name("verified")], await admin.NamesAsync($"q={Uri.EscapeDataString(verifiedForm["email"]![..14])}"));
        Assert.Empty(await admin.NamesAsync($"q=flt{Run()}"));

        var bad = await admin.Http.GetAsync("/api/admin/users/?status=sleeping");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("status", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").ToString());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.Http.GetAsync("/api/admin/users/?q=a%00b")).StatusCode);
        // A search for LIKE's wildcards finds them as text, not everybody.
        Assert.Empty(await admin.NamesAsync($"q={Uri.EscapeDataString("%")}"));
    }

    [Fact]
    public async Task The_existing_admin_actions_are_audited_with_the_actor_and_the_fields_before_and_after()
    {
        var admin = await UserAdminClient.CreateAsync(app);
        var (_, pending) = await TestAccounts.SignUpAsync(app, $"aud{Run()}_p", verify: false);
        var (form, member) = await TestAccounts.SignUpAsync(app, $"aud{Run()}_m", verify: true);
        await app.Database.ExecuteAsync("UPDATE users SET roles = '{admin}' WHERE id = $1", member);

        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync(pending, "resend-verification")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.RevokeAsync(member)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync(member, "deactivate")).StatusCode);
        // Again: nothing changes, so nothing more is written.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.RevokeAsync(member)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync(member, "deactivate")).StatusCode);

        var resent = Assert.Single(await admin.AuditAsync(pending));
        Assert.Equal("verification.resent", resent.GetProperty("action").GetString());
        Assert.Equal(admin.Id.ToString(), resent.GetProperty("actor_id").GetString());
        Assert.Equal(admin.Form["username"], resent.GetProperty("actor_name").GetString());
        Assert.DoesNotContain("@", resent.GetProperty("after").ToString());

        var entries = await admin.AuditAsync(member);
        Assert.Equal(["deactivated", "role.revoked"], entries.Select(e => e.GetProperty("action").GetString()));
        var deactivated = entries[0];
        Assert.True(deactivated.GetProperty("before").GetProperty("is_active").GetBoolean());
        Assert.Equal(JsonValueKind.Null, deactivated.GetProperty("before").GetProperty("deactivated_at").ValueKind);
        Assert.False(deactivated.GetProperty("after").GetProperty("is_active").GetBoolean());
        Assert.Equal(JsonValueKind.String, deactivated.GetProperty("after").GetProperty("deactivated_at").ValueKind);
        Assert.Equal(form["username"], deactivated.GetProperty("target_username").GetString());
        var revoked = entries[1];
        Assert.Equal(["admin"], revoked.GetProperty("before").GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Empty(revoked.GetProperty("after").GetProperty("roles").EnumerateArray());
        Assert.True(DateTimeOffset.UtcNow - revoked.GetProperty("at").GetDateTimeOffset() < TimeSpan.FromMinutes(1));

        // The log of all accounts holds them too, newest first, a page at a time.
        var first = await admin.GetAsync("/api/admin/users/audit?limit=2");
        var shown = first.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(2, shown.Count);
        Assert.True(shown[0].GetProperty("at").GetDateTimeOffset() >= shown[1].GetProperty("at").GetDateTimeOffset());
        var second = await admin.GetAsync($"/api/admin/users/audit?limit=2&after={first.GetProperty("next").GetString()}");
        Assert.DoesNotContain(second.GetProperty("entries").EnumerateArray(), e => shown.Any(s => s.GetProperty("id").GetString() == e.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Reactivation_lets_the_account_log_in_again_but_not_one_its_owner_deleted()
    {
        var admin = await UserAdminClient.CreateAsync(app);
        var (form, id) = await TestAccounts.SignUpAsync(app, $"rea{Run()}", verify: true);
        var (_, pending) = await TestAccounts.SignUpAsync(app, $"rea{Run()}_p", verify: false);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync(id, "deactivate")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await IdentityApp.LoginAsync(app.Client(), form["username"]!, form["password"]!)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync(id, "reactivate")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(app.Client(), form["username"]!, form["password"]!)).StatusCode);
        var user = await admin.GetAsync($"/api/admin/users/{id}");
        Assert.True(user.GetProperty("is_active").GetBoolean());
        Assert.Equal(JsonValueKind.Null, user.GetProperty("deactivated_at").ValueKind);
        var reactivated = (await admin.AuditAsync(id))[0];
        Assert.Equal("reactivated", reactivated.GetProperty("action").GetString());
        Assert.Equal(JsonValueKind.String, reactivated.GetProperty("before").GetProperty("deactivated_at").ValueKind);
        Assert.True(reactivated.GetProperty("after").GetProperty("is_active").GetBoolean());

        // An unverified account comes back pending: its link still has to be opened.
        await admin.PostAsync(pending, "deactivate");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync(pending, "reactivate")).StatusCode);
        Assert.False((await admin.GetAsync($"/api/admin/users/{pending}")).GetProperty("is_active").GetBoolean());

        await admin.PostAsync(id, "deactivate");
        await app.Database.ExecuteAsync("UPDATE users SET deleted_at = now() WHERE id = $1", id);
        var refused = await admin.PostAsync(id, "reactivate");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("deleted", await UserAdminClient.CodeAsync(refused));
        // A deleted account is unknown to the login: the same 401 as a name nobody has.
        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityApp.LoginAsync(app.Client(), form["username"]!, form["password"]!)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync(Guid.NewGuid(), "reactivate")).StatusCode);
    }

    [Fact]
    public async Task Admin_goes_only_to_verified_active_accounts_and_a_known_role_and_granting_it_gives_a_token()
    {
        var admin = await UserAdminClient.CreateAsync(app);
        var (form, id) = await TestAccounts.SignUpAsync(app, $"gr{Run()}", verify: true);
        var (_, pending) = await TestAccounts.SignUpAsync(app, $"gr{Run()}_p", verify: false);
        var (_, off) = await TestAccounts.SignUpAsync(app, $"gr{Run()}_d", verify: true);
        await admin.PostAsync(off, "deactivate");

        var unverified = await admin.GrantAsync(pending);
        Assert.Equal(HttpStatusCode.Conflict, unverified.StatusCode);
        Assert.Equal("not_verified", await UserAdminClient.CodeAsync(unverified));
        var deactivated = await admin.GrantAsync(off);
        Assert.Equal(HttpStatusCode.Conflict, deactivated.StatusCode);
        Assert.Equal("deactivated", await UserAdminClient.CodeAsync(deactivated));
        var unknown = await admin.GrantAsync(id, "owner");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("Unknown role 'owner'", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("role")[0].GetString());
        Assert.Empty(await admin.AuditAsync(pending));
        Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM users WHERE id = ANY($1) AND 'admin' = ANY(roles)", new[] { pending, off }));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.GrantAsync(id)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.GrantAsync(id)).StatusCode);
        var granted = Assert.Single(await admin.AuditAsync(id));
        Assert.Equal("role.granted", granted.GetProperty("action").GetString());
        Assert.Equal(["admin"], granted.GetProperty("after").GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        var session = app.Client();
        await IdentityApp.LoginAsync(session, form["username"]!, form["password"]!);
        using var ask = new HttpRequestMessage(HttpMethod.Post, "/api/auth/token/");
        ask.Headers.Add("X-CSRF", "1");
        Assert.Equal(HttpStatusCode.OK, (await session.SendAsync(ask)).StatusCode);
    }

    [Fact]
    public async Task The_profile_is_edited_with_the_sign_up_rules_and_messages_and_only_changed_fields_are_audited()
    {
        var admin = await UserAdminClient.CreateAsync(app);
        var (_, id) = await TestAccounts.SignUpAsync(app, $"pro{Run()}", verify: true);

        var bad = await admin.PatchProfileAsync(id, new { industry = "farming", sales_experience = "forever", purpose = new string('x', 501), locale = "fr" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(Messages.Get("industry.invalid", "en"), errors.GetProperty("industry")[0].GetString());
        Assert.Equal(Messages.Get("sales_experience.invalid", "en"), errors.GetProperty("sales_experience")[0].GetString());
        Assert.Equal(Messages.Get("purpose.length", "en"), errors.GetProperty("purpose")[0].GetString());
        Assert.Equal(Messages.Get("locale.invalid", "en"), errors.GetProperty("locale")[0].GetString());
        var japanese = await admin.PatchProfileAsync(id, new { industry = "" }, lang: "ja");
        Assert.Equal(Messages.Get("industry.required", "ja"),
            (await japanese.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("industry")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PatchProfileAsync(id, new { email = "x@example.com" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PatchProfileAsync(id, new { purpose = 5 })).StatusCode);
        Assert.Empty(await admin.AuditAsync(id));

        var ok = await admin.PatchProfileAsync(id, new { industry = "consulting", purpose = "  ", locale = "en", sales_experience = "1_to_3_years" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var profile = await ok.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("consulting", profile.GetProperty("industry").GetString());
        Assert.Equal(JsonValueKind.Null, profile.GetProperty("purpose").ValueKind);
        Assert.Equal("1_to_3_years", profile.GetProperty("sales_experience").GetString());

        var entry = Assert.Single(await admin.AuditAsync(id));
        Assert.Equal("profile.updated", entry.GetProperty("action").GetString());
        // Sign-up's values were software, 1_to_3_years, "Find customers", en: experience and locale did not change.
        Assert.Equal("""{"industry":"software","purpose":"Find customers"}""", Canonical(entry.GetProperty("before")));
        Assert.Equal("""{"industry":"consulting","purpose":null}""", Canonical(entry.GetProperty("after")));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PatchProfileAsync(Guid.NewGuid(), new { industry = "retail" })).StatusCode);

        // An account without a profile row gets one, which needs its industry.
        await app.Database.ExecuteAsync("DELETE FROM user_profiles WHERE user_id = $1", id);
        var needsIndustry = await admin.PatchProfileAsync(id, new { purpose = "Renewals" });
        Assert.Equal(HttpStatusCode.BadRequest, needsIndustry.StatusCode);
        Assert.Equal(Messages.Get("industry.required", "en"),
            (await needsIndustry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("industry")[0].GetString());
        Assert.Equal(HttpStatusCode.OK, (await admin.PatchProfileAsync(id, new { industry = "retail", purpose = "Renewals" })).StatusCode);
        Assert.Equal("retail", (await admin.GetAsync($"/api/admin/users/{id}")).GetProperty("profile").GetProperty("industry").GetString());
    }

    private static string Canonical(JsonElement element) =>
        JsonSerializer.Serialize(element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal).ToDictionary(p => p.Name, p => p.Value));
}
