using System.Net;
using System.Text.Json;
using SalesMind.Identity.Web;
using static SalesMind.Identity.Tests.AccountRequests;

namespace SalesMind.Identity.Tests;

/// <summary>The owner edits the profile with the sign-up's rules and messages; every change is audited.</summary>
[Collection(IdentityCollection.Name)]
public sealed class ProfileTests(IdentityApp app)
{
    private const string Url = "/api/account/profile/";

    [Fact]
    public async Task The_owner_reads_and_replaces_the_profile_and_the_change_is_audited_with_only_the_changed_fields()
    {
        var form = await app.VerifiedUserAsync();
        var client = await SignedInAsync(app, form);

        var before = await (await client.GetAsync(Url)).JsonAsync();
        var put = await SendAsync(client, HttpMethod.Put, Url, new { industry = "retail", sales_experience = "1_to_3_years", purpose = "  Find customers  ", locale = "ja" });

        Assert.Equal("software", before.GetProperty("industry").GetString());
        Assert.Equal("en", before.GetProperty("locale").GetString());
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var after = await put.JsonAsync();
        Assert.Equal("retail", after.GetProperty("industry").GetString());
        Assert.Equal("Find customers", after.GetProperty("purpose").GetString());
        var me = await (await client.GetAsync("/api/auth/me/")).JsonAsync();
        Assert.Equal("retail", me.GetProperty("industry").GetString());
        Assert.Equal("ja", me.GetProperty("locale").GetString());
        var id = await UserIdAsync(app, form);
        var entry = Assert.Single(await AuditAsync(app, id, "profile.updated"));
        Assert.Equal(id, entry.Actor);
        // Purpose and experience were the same after trimming: only industry and locale changed.
        Assert.Equal(new Dictionary<string, string> { ["industry"] = "software", ["locale"] = "en" }, JsonSerializer.Deserialize<Dictionary<string, string>>(entry.Before!));
        Assert.Equal(new Dictionary<string, string> { ["industry"] = "retail", ["locale"] = "ja" }, JsonSerializer.Deserialize<Dictionary<string, string>>(entry.After!));

        // The same profile again changes nothing and audits nothing.
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, HttpMethod.Put, Url, new { industry = "retail", sales_experience = "1_to_3_years", purpose = "Find customers", locale = "ja" })).StatusCode);
        Assert.Single(await AuditAsync(app, id, "profile.updated"));
    }

    [Fact]
    public async Task A_patch_changes_only_the_fields_sent_and_null_clears_an_optional_one()
    {
        var form = await app.VerifiedUserAsync();
        var client = await SignedInAsync(app, form);

        var patch = await SendAsync(client, HttpMethod.Patch, Url, new Dictionary<string, string?> { ["sales_experience"] = null });

        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var profile = await patch.JsonAsync();
        Assert.Equal(JsonValueKind.Null, profile.GetProperty("sales_experience").ValueKind);
        Assert.Equal("software", profile.GetProperty("industry").GetString());
        Assert.Equal("Find customers", profile.GetProperty("purpose").GetString());
        var entry = Assert.Single(await AuditAsync(app, await UserIdAsync(app, form), "profile.updated"));
        Assert.Contains("1_to_3_years", entry.Before!, StringComparison.Ordinal);
        Assert.DoesNotContain("industry", entry.After!, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string?, string> BrokenRules() => new()
    {
        { "ja", "industry", "shipping", "industry.invalid" },
        { "en", "industry", "shipping", "industry.invalid" },
        { "ja", "industry", "", "industry.required" },
        { "en", "industry", null, "industry.required" },
        { "ja", "sales_experience", "forever", "sales_experience.invalid" },
        { "en", "sales_experience", "forever", "sales_experience.invalid" },
        { "ja", "purpose", new string('x', 501), "purpose.length" },
        { "en", "purpose", new string('x', 501), "purpose.length" },
        { "ja", "locale", "fr", "locale.invalid" },
        { "en", "locale", "fr", "locale.invalid" },
        { "en", "purpose", "bell\u0007", "field.invalid_text" },
    };

    [Theory]
    [MemberData(nameof(BrokenRules))]
    public async Task Each_broken_rule_is_refused_with_the_sign_ups_message_in_the_pages_language_and_nothing_changes(
        string language, string field, string? value, string key)
    {
        var form = await app.VerifiedUserAsync();
        var client = await SignedInAsync(app, form);
        var body = new Dictionary<string, string?> { ["industry"] = "retail", ["locale"] = "en", [field] = value };

        var answer = await SendAsync(client, HttpMethod.Put, Url, body, language: language);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        Assert.Equal([Messages.Get(key, language)], await answer.FieldErrorsAsync(field));
        Assert.Equal("software", (await (await client.GetAsync(Url)).JsonAsync()).GetProperty("industry").GetString());
        Assert.Empty(await AuditAsync(app, await UserIdAsync(app, form), "profile.updated"));
    }

    [Fact]
    public async Task Without_a_language_asked_for_the_messages_are_in_the_accounts_language()
    {
        var form = await app.VerifiedUserAsync();
        var client = await SignedInAsync(app, form);
        await SendAsync(client, HttpMethod.Patch, Url, new { locale = "ja" });

        var answer = await SendAsync(client, HttpMethod.Patch, Url, new { industry = "shipping" }, language: "fr");

        Assert.Equal([Messages.Get("industry.invalid", "ja")], await answer.FieldErrorsAsync("industry"));
    }

    [Theory]
    [InlineData("username")]
    [InlineData("email")]
    [InlineData("roles")]
    [InlineData("password")]
    public async Task Fields_beyond_the_profile_are_refused_as_at_sign_up(string field)
    {
        var form = await app.VerifiedUserAsync();
        var client = await SignedInAsync(app, form);

        var answer = await SendAsync(client, HttpMethod.Patch, Url, new Dictionary<string, string> { ["industry"] = "retail", [field] = "admin" });

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal([Messages.Get("field.unknown", "en")], await answer.FieldErrorsAsync(field));
        var me = await (await client.GetAsync("/api/auth/me/")).JsonAsync();
        Assert.Equal(form["username"], me.GetProperty("username").GetString());
        Assert.Equal("software", me.GetProperty("industry").GetString());
        Assert.DoesNotContain("admin", me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task Without_a_session_the_answer_is_401_and_without_the_csrf_header_403()
    {
        var form = await app.VerifiedUserAsync();
        var client = await SignedInAsync(app, form);
        var stranger = app.Client();

        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync(Url)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(stranger, HttpMethod.Put, Url, new { industry = "retail" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(client, HttpMethod.Put, Url, new { industry = "retail" }, csrf: false)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(client, HttpMethod.Patch, Url, new { industry = "retail" }, csrf: false)).StatusCode);
        // A made-up cookie is no session either.
        var forged = app.Client();
        forged.DefaultRequestHeaders.Add("Cookie", "sm_session=" + new string('A', 43));
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync(Url)).StatusCode);
        Assert.Equal("software", (await (await client.GetAsync(Url)).JsonAsync()).GetProperty("industry").GetString());
    }

    [Fact]
    public async Task Concurrent_edits_are_applied_one_after_another_and_each_audit_entry_starts_where_the_last_ended()
    {
        var form = await app.VerifiedUserAsync();
        var client = await SignedInAsync(app, form);
        string[] industries = ["retail", "finance", "education", "consulting", "staffing", "healthcare"];

        var answers = await Task.WhenAll(industries.Select(i => SendAsync(client, HttpMethod.Patch, Url, new { industry = i })));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var chain = await AuditAsync(app, await UserIdAsync(app, form), "profile.updated");
        Assert.Equal(industries.Length, chain.Count);
        var values = chain.Select(e => (
            Before: JsonSerializer.Deserialize<Dictionary<string, string>>(e.Before!)!["industry"],
            After: JsonSerializer.Deserialize<Dictionary<string, string>>(e.After!)!["industry"])).ToList();
        Assert.Equal("software", values[0].Before);
        for (var i = 1; i < values.Count; i++)
        {
            Assert.Equal(values[i - 1].After, values[i].Before);
        }
    }
}
