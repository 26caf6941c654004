using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using SalesMind.Contracts;
using SalesMind.TestSupport;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Tests;

/// <summary>Admins edit, version, preview, test-send and activate templates; consumers follow the active version.</summary>
[Collection(NotifierCollection.Name)]
public sealed class TemplateAdminTests(NotifierApp app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private HttpClient Admin() => app.AdminClient();

    private static Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected) => NotifierApp.JsonAsync(response, expected);

    private static async Task<int> ActiveVersionAsync(HttpClient client, string key, string locale)
    {
        var detail = await JsonAsync(await client.GetAsync($"/api/admin/templates/{key}"), HttpStatusCode.OK);
        return detail.GetProperty("locales").EnumerateArray().Single(l => l.GetProperty("locale").GetString() == locale).GetProperty("active_version").GetInt32();
    }

    private static async Task<JsonElement> SaveAsync(HttpClient client, string key, string locale, string subject, bool activate, string? html = null) =>
        await JsonAsync(await client.PostAsJsonAsync($"/api/admin/templates/{key}/versions", new
        {
            locale,
            subject,
            html = html ?? "<p>Hello @Model.Username, <a href=\"@Model.LoginUrl\">log in</a> to @Model.SiteName.</p>",
            text = "Hello @Model.Username, log in at @Model.LoginUrl",
            note = "test edit",
            activate,
        }), HttpStatusCode.Created);

    private static Task<HttpResponseMessage> ActivateAsync(HttpClient client, string key, string locale, int version) =>
        client.PostAsync($"/api/admin/templates/{key}/versions/{locale}/{version}/activate", null);

    /// <summary>Publishes a verified-user event and returns the subject and version of the welcome delivery it produced.</summary>
    private async Task<(string Subject, long? VersionId)> WelcomeDeliveryAsync()
    {
        var to = Stack.NewMailbox("welcome");
        var messageId = Guid.NewGuid();
        await app.PublishAsync(new UserEmailVerified(Guid.NewGuid(), to, DateTimeOffset.UtcNow, "hanako", "en", "https://salesmind.example/login.html"), messageId);
        await Eventually.HoldsAsync(async () => await app.Database.ScalarAsync<long>("SELECT count(*) FROM deliveries WHERE source_message_id = $1", messageId) == 1,
            Patience, "welcome delivery recorded");
        var subject = await app.Database.ScalarAsync<string>("SELECT subject FROM deliveries WHERE source_message_id = $1", messageId);
        var version = await app.Database.ScalarAsync<long?>("SELECT template_version_id FROM deliveries WHERE source_message_id = $1", messageId);
        return (subject!, version);
    }

    [Fact]
    public async Task A_saved_version_is_used_only_once_activated_and_rolling_back_restores_the_previous_one()
    {
        var client = Admin();
        var original = await ActiveVersionAsync(client, TemplateKeys.Welcome, "en");
        var subject = $"Welcome aboard {Guid.NewGuid():N}";
        try
        {
            var saved = await SaveAsync(client, TemplateKeys.Welcome, "en", subject, activate: false);
            var number = saved.GetProperty("version").GetInt32();
            Assert.False(saved.GetProperty("active").GetBoolean());
            Assert.Equal("test", saved.GetProperty("created_by").GetString());

            var before = await WelcomeDeliveryAsync();
            Assert.NotEqual(subject, before.Subject);

            await JsonAsync(await ActivateAsync(client, TemplateKeys.Welcome, "en", number), HttpStatusCode.OK);
            var after = await WelcomeDeliveryAsync();
            Assert.Equal(subject, after.Subject);
            Assert.Equal(saved.GetProperty("id").GetInt64(), after.VersionId);

            // Rollback is activating the old version; the new one stays in the history, unchanged.
            await JsonAsync(await ActivateAsync(client, TemplateKeys.Welcome, "en", original), HttpStatusCode.OK);
            var rolledBack = await WelcomeDeliveryAsync();
            Assert.Equal(before.Subject, rolledBack.Subject);
            var versions = await JsonAsync(await client.GetAsync("/api/admin/templates/welcome/versions?locale=en"), HttpStatusCode.OK);
            Assert.Equal(number, versions[0].GetProperty("version").GetInt32());
            Assert.Single(versions.EnumerateArray(), v => v.GetProperty("active").GetBoolean());
            var kept = await JsonAsync(await client.GetAsync($"/api/admin/templates/welcome/versions/en/{number}"), HttpStatusCode.OK);
            Assert.Equal(subject, kept.GetProperty("subject").GetString());

            var audit = await JsonAsync(await client.GetAsync("/api/admin/audit?target=template:welcome/en&limit=10"), HttpStatusCode.OK);
            var actions = audit.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("action").GetString()).ToList();
            Assert.Contains("template.version.created", actions);
            Assert.Contains("template.version.activated", actions);
            var rollback = audit.GetProperty("items")[0];
            Assert.Equal("template.version.activated", rollback.GetProperty("action").GetString());
            Assert.Equal("test", rollback.GetProperty("actor").GetString());
            Assert.Equal(number, rollback.GetProperty("before").GetProperty("active_version").GetInt32());
            Assert.Equal(original, rollback.GetProperty("after").GetProperty("active_version").GetInt32());
        }
        finally
        {
            await ActivateAsync(client, TemplateKeys.Welcome, "en", original);
        }
    }

    [Fact]
    public async Task A_new_active_version_reaches_every_Notifier_instance_within_a_second()
    {
        var client = Admin();
        var original = await ActiveVersionAsync(client, TemplateKeys.Welcome, "ja");
        // A second Notifier on the same database and broker, with caches of its own.
        await using var second = app.WithWebHostBuilder(b => b.UseSetting("Bounces:ListenPort", "0"));
        var values = TemplateCatalog.ValuesOf(new WelcomeModel("hanako", "https://salesmind.example/login.html", "SalesMind"));

        async Task<string> RenderOnSecondAsync()
        {
            await using var scope = second.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<NotifierDb>();
            var result = await scope.ServiceProvider.GetRequiredService<TemplateStore>().RenderActiveAsync(db, TemplateKeys.Welcome, "ja", values, CancellationToken.None);
            return result.Email.Subject;
        }

        var subject = $"ようこそ {Guid.NewGuid():N}";
        try
        {
            var old = await RenderOnSecondAsync();
            var saved = await SaveAsync(client, TemplateKeys.Welcome, "ja", subject, activate: false);
            Assert.Equal(old, await RenderOnSecondAsync());

            await JsonAsync(await ActivateAsync(client, TemplateKeys.Welcome, "ja", saved.GetProperty("version").GetInt32()), HttpStatusCode.OK);
            var clock = Stopwatch.StartNew();
            while (await RenderOnSecondAsync() != subject)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), "the second instance still renders the old version after 1 s");
                await Task.Delay(20);
            }
        }
        finally
        {
            await ActivateAsync(client, TemplateKeys.Welcome, "ja", original);
        }
    }

    [Fact]
    public async Task Preview_renders_a_draft_a_saved_version_or_the_active_one_and_sends_nothing()
    {
        var client = Admin();
        var deliveries = await app.Database.ScalarAsync<long>("SELECT count(*) FROM deliveries");

        var active = await JsonAsync(await client.PostAsJsonAsync("/api/admin/templates/email-verification/preview", new { locale = "en" }), HttpStatusCode.OK);
        Assert.Equal("Confirm your email address for SalesMind", active.GetProperty("subject").GetString());
        Assert.Contains("https://salesmind.example/api/auth/verify-email/?token=sample", active.GetProperty("text").GetString());
        Assert.Equal("no-reply@salesmind.test", active.GetProperty("from").GetProperty("address").GetString());

        var saved = await JsonAsync(await client.PostAsJsonAsync("/api/admin/templates/email-verification/preview", new { locale = "ja", version = 1 }), HttpStatusCode.OK);
        Assert.Equal(1, saved.GetProperty("version").GetInt32());
        Assert.Equal("SalesMind メールアドレスの確認をお願いします", saved.GetProperty("subject").GetString());

        var draft = await JsonAsync(await client.PostAsJsonAsync("/api/admin/templates/email-verification/preview", new
        {
            locale = "en",
            draft = new { subject = "Hi @Model.Username", html = "<b>@Model.Username</b> until @Model.ExpiresAt", text = "@Model.VerificationUrl" },
            data = new Dictionary<string, string> { ["username"] = "<Taro>", ["verification_url"] = "https://example.test/v?t=1" },
        }), HttpStatusCode.OK);
        Assert.Equal("Hi <Taro>", draft.GetProperty("subject").GetString());
        Assert.StartsWith("<b>&lt;Taro&gt;</b> until 2026", draft.GetProperty("html").GetString());
        Assert.Equal("https://example.test/v?t=1\n", draft.GetProperty("text").GetString());
        Assert.Equal(JsonValueKind.Null, draft.GetProperty("version").ValueKind);

        var unknown = await JsonAsync(await client.PostAsJsonAsync("/api/admin/templates/email-verification/preview",
            new { locale = "en", data = new Dictionary<string, string> { ["password"] = "x" } }), HttpStatusCode.BadRequest);
        Assert.Contains("not a variable", unknown.GetProperty("errors").GetProperty("data.password")[0].GetString());
        await JsonAsync(await client.PostAsJsonAsync("/api/admin/templates/email-verification/preview", new { locale = "en", version = 999 }), HttpStatusCode.NotFound);
        await JsonAsync(await client.PostAsJsonAsync("/api/admin/templates/no-such-template/preview", new { locale = "en" }), HttpStatusCode.NotFound);

        Assert.Equal(deliveries, await app.Database.ScalarAsync<long>("SELECT count(*) FROM deliveries"));
    }

    [Fact]
    public async Task A_template_error_is_answered_with_its_part_line_column_and_reason()
    {
        var client = Admin();
        var problem = await JsonAsync(await client.PostAsJsonAsync("/api/admin/templates/password-reset/versions", new
        {
            locale = "en",
            subject = "Reset",
            html = "<p>Hello</p>\n<p>\n  Use @Model.ResetLink now</p>",
            text = "@(Model.ResetUrl",
        }), HttpStatusCode.BadRequest);

        var html = problem.GetProperty("errors").GetProperty("html")[0].GetString()!;
        Assert.StartsWith("line 3, column 8: unknown variable 'Model.ResetLink'", html);
        Assert.Contains("Model.ResetUrl", html);
        Assert.StartsWith("line 1, column 2: '(' is never closed", problem.GetProperty("errors").GetProperty("text")[0].GetString());
        var located = problem.GetProperty("template_problems").EnumerateArray().First();
        Assert.Equal(("html", 3, 8), (located.GetProperty("part").GetString(), located.GetProperty("line").GetInt32(), located.GetProperty("column").GetInt32()));

        var missing = await JsonAsync(await client.PostAsJsonAsync("/api/admin/templates/password-reset/versions", new { locale = "fr", subject = "" }), HttpStatusCode.BadRequest);
        var errors = missing.GetProperty("errors");
        Assert.Contains("locale must be ja or en", errors.GetProperty("locale")[0].GetString());
        Assert.Equal("subject is required.", errors.GetProperty("subject")[0].GetString());
        Assert.Equal("html is required.", errors.GetProperty("html")[0].GetString());
    }

    [Fact]
    public async Task A_test_send_goes_through_the_pipeline_to_the_mail_server_as_a_test_delivery()
    {
        var client = Admin();
        var to = Stack.NewMailbox("test-send");

        var bad = await JsonAsync(await client.PostAsJsonAsync("/api/admin/templates/welcome/test-send", new { to = "not an address", locale = "en" }), HttpStatusCode.BadRequest);
        Assert.Contains("one email address", bad.GetProperty("errors").GetProperty("to")[0].GetString());

        var accepted = await JsonAsync(await client.PostAsJsonAsync("/api/admin/templates/welcome/test-send",
            new { to, locale = "en", data = new { username = "Tester" } }), HttpStatusCode.Accepted);
        var id = accepted.GetProperty("delivery_id").GetGuid();

        var mail = Assert.Single(await Mailbox.WaitForAsync(to, Patience));
        Assert.Equal("Welcome to SalesMind", mail.Subject);
        Assert.Contains("Hello Tester,", mail.TextBody);
        Assert.Equal("true", mail.Headers["X-SalesMind-Test"]);
        Assert.Equal(id.ToString(), mail.Headers["X-SalesMind-Delivery"]);
        await Eventually.HoldsAsync(async () =>
            (await JsonAsync(await client.GetAsync($"/api/admin/deliveries/{id}"), HttpStatusCode.OK)).GetProperty("status").GetString() == "delivered",
            Patience, "test delivery delivered");
        var delivery = await JsonAsync(await client.GetAsync($"/api/admin/deliveries/{id}"), HttpStatusCode.OK);
        Assert.Equal("test", delivery.GetProperty("kind").GetString());
        Assert.Equal(250, delivery.GetProperty("attempt_log")[0].GetProperty("smtp_code").GetInt32());
    }

    [Fact]
    public async Task Admins_add_preview_send_and_delete_custom_templates_but_not_shipped_ones()
    {
        var client = Admin();
        var key = $"trial-ending-{Guid.NewGuid():N}"[..30];
        var created = await JsonAsync(await client.PostAsJsonAsync("/api/admin/templates", new
        {
            key,
            description = "Sent three days before a trial ends.",
            variables = new[] { new { name = "Username", description = "The user's name.", sample = "hanako" }, new { name = "TrialEndsAt", description = "When the trial ends.", sample = "1 May" } },
            locales = new Dictionary<string, object>
            {
                ["en"] = new { subject = "Your @Model.SiteName trial ends @Model.TrialEndsAt", html = "<p>@Model.Username, upgrade soon.</p>", text = "@Model.Username, upgrade soon." },
            },
        }), HttpStatusCode.Created);
        Assert.False(created.GetProperty("built_in").GetBoolean());
        Assert.Equal(["Username", "TrialEndsAt", "SiteName"], created.GetProperty("variables").EnumerateArray().Select(v => v.GetProperty("name").GetString()));

        var preview = await JsonAsync(await client.PostAsJsonAsync($"/api/admin/templates/{key}/preview", new { locale = "en" }), HttpStatusCode.OK);
        Assert.Equal("Your SalesMind trial ends 1 May", preview.GetProperty("subject").GetString());
        // A locale without a version of its own falls back to one that has.
        var ja = await JsonAsync(await client.PostAsJsonAsync($"/api/admin/templates/{key}/preview", new { locale = "ja" }), HttpStatusCode.OK);
        Assert.Equal("en", ja.GetProperty("locale").GetString());

        await JsonAsync(await client.PostAsJsonAsync("/api/admin/templates", new { key, description = "again", locales = new Dictionary<string, object>() }), HttpStatusCode.Conflict);
        var invalid = await JsonAsync(await client.PostAsJsonAsync("/api/admin/templates", new { key = "Bad Key!", description = "" }), HttpStatusCode.BadRequest);
        Assert.True(invalid.GetProperty("errors").TryGetProperty("key", out _));

        await JsonAsync(await client.DeleteAsync("/api/admin/templates/welcome"), HttpStatusCode.Conflict);
        await JsonAsync(await client.DeleteAsync($"/api/admin/templates/{key}"), HttpStatusCode.NoContent);
        await JsonAsync(await client.GetAsync($"/api/admin/templates/{key}"), HttpStatusCode.NotFound);

        var audit = await JsonAsync(await client.GetAsync($"/api/admin/audit?target=template:{key}"), HttpStatusCode.OK);
        var deleted = audit.GetProperty("items")[0];
        Assert.Equal("template.deleted", deleted.GetProperty("action").GetString());
        Assert.Equal(JsonValueKind.Null, deleted.GetProperty("after").ValueKind);
        Assert.Equal("Sent three days before a trial ends.", deleted.GetProperty("before").GetProperty("description").GetString());
    }

    [Fact]
    public async Task Every_shipped_template_lists_its_variables_with_descriptions()
    {
        var client = Admin();
        var list = await JsonAsync(await client.GetAsync("/api/admin/templates"), HttpStatusCode.OK);
        var keys = list.EnumerateArray().Select(t => t.GetProperty("key").GetString()).ToList();
        foreach (var key in new[] { "email-verification", "verification-reminder", "account-already-exists", "welcome", "password-reset" })
        {
            Assert.Contains(key, keys);
            var variables = await JsonAsync(await client.GetAsync($"/api/admin/templates/{key}/variables"), HttpStatusCode.OK);
            Assert.All(variables.EnumerateArray(), v => Assert.False(string.IsNullOrEmpty(v.GetProperty("description").GetString())));
            Assert.Contains(variables.EnumerateArray(), v => v.GetProperty("name").GetString() == "SiteName");
        }

        var verification = await JsonAsync(await client.GetAsync("/api/admin/templates/email-verification/variables"), HttpStatusCode.OK);
        Assert.Equal(["Username", "VerificationUrl", "VerificationCode", "ExpiresAt", "SiteName"], verification.EnumerateArray().Select(v => v.GetProperty("name").GetString()));
    }
}
