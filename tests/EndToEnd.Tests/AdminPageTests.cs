using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SalesMind.TestSupport;

namespace SalesMind.EndToEnd.Tests;

/// <summary>
/// The admin page changes what emails say and who sends them, if only for a moment: its tests run
/// alone, so no other test of this assembly meets a changed subject or sender meanwhile.
/// </summary>
[CollectionDefinition(nameof(AdminPageTests), DisableParallelization = true)]
public sealed class AdminPageCollection;

/// <summary>An admin in a browser: edits an email with its live preview, test-sends it, rolls back; manages senders.</summary>
[Collection(nameof(AdminPageTests))]
public sealed class AdminPageTests(Browser browser) : IClassFixture<Browser>
{
    private static readonly TimeSpan MailPatience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_admin_edits_the_welcome_email_sees_it_live_test_sends_it_and_rolls_back()
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        var notifier = await NotifierAdmin.CreateAsync();
        var before = await notifier.ActiveVersionAsync("welcome", "en");
        try
        {
            var (page, errors) = await AdminPageAsync();
            await page.ClickAsync(".template-pick[data-key='welcome']");
            await page.SelectOptionAsync("#locale", "en");
            await Assertions.Expect(page.Locator("#editor-base")).ToContainTextAsync($"version {before}");
            var original = await page.InputValueAsync("#html");

            // The subject changes; the preview follows without a click.
            await page.FillAsync("#subject", $"Welcome to @Model.SiteName, check {id}");
            await Assertions.Expect(page.Locator("#preview-subject")).ToHaveTextAsync(new Regex($"^Welcome to \\S+, check {id}$"));
            await Assertions.Expect(page.Locator("#preview")).ToHaveAttributeAsync("data-state", "fresh");
            await ShotAsync(page, "admin-1-live-preview", "#preview");

            // A variable the template does not have: the error sits under the HTML field, with its line.
            var kept = original.EndsWith('\n') ? original : original + "\n";
            var line = kept.Count(c => c == '\n') + 1;
            await page.FillAsync("#html", kept + "<p>@Model.Nope</p>\n");
            var htmlError = page.Locator("#html-error");
            await Assertions.Expect(htmlError).ToContainTextAsync($"Line {line}, column");
            await Assertions.Expect(htmlError).ToContainTextAsync("Model.Nope");
            await Assertions.Expect(page.Locator("#html")).ToHaveAttributeAsync("aria-invalid", "true");
            Assert.Contains("html-error", await page.GetAttributeAsync("#html", "aria-describedby"));
            await Assertions.Expect(page.Locator("#preview")).ToHaveAttributeAsync("data-state", "stale");
            await ShotAsync(page, "admin-2-template-problem", "#html-error");

            await page.FillAsync("#html", original);
            await Assertions.Expect(htmlError).ToBeEmptyAsync();
            await Assertions.Expect(page.Locator("#preview")).ToHaveAttributeAsync("data-state", "fresh");

            // Saved as a new version and activated at once.
            await page.FillAsync("#note", $"Admin page test {id}");
            await page.CheckAsync("#activate");
            await page.ClickAsync("#save");
            await Assertions.Expect(page.Locator("#save-status")).ToContainTextAsync("is now active");
            var active = page.Locator("#versions tbody tr.is-active");
            await Assertions.Expect(active).ToContainTextAsync($"Admin page test {id}");
            var saved = int.Parse((await active.GetAttributeAsync("data-version"))!);
            Assert.True(saved > before, $"the new version {saved} should come after {before}");
            Assert.Equal(saved, await notifier.ActiveVersionAsync("welcome", "en"));

            // A test send goes through the real pipeline; the page follows it until the mail server has it.
            var to = Stack.NewMailbox("admin-page");
            await page.FillAsync("#test-to", to);
            await page.ClickAsync("#test-send");
            await Assertions.Expect(page.Locator("#test-delivery")).Not.ToBeEmptyAsync();
            await Assertions.Expect(page.Locator("#test-status")).ToHaveAttributeAsync("data-status", new System.Text.RegularExpressions.Regex("^(sent|delivered)$"), new() { Timeout = 30_000 });
            await ShotAsync(page, "admin-3-test-sent", "#test-result");
            var mail = Assert.Single(await Mailbox.WaitForAsync(to, MailPatience));
            Assert.Matches($"^Welcome to \\S+, check {id}$", mail.Subject);

            // Rollback: the version that was active before is active again.
            await page.ClickAsync($"#versions tr[data-version='{before}'] .version-activate");
            await Assertions.Expect(page.Locator($"#versions tr[data-version='{before}']")).ToHaveClassAsync(new Regex(@"\bis-active\b"));
            await Assertions.Expect(page.Locator($"#versions tr[data-version='{saved}'] .version-activate")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#versions-status")).ToContainTextAsync($"Version {before} is now active");
            await ShotAsync(page, "admin-4-rolled-back", "#versions");
            Assert.Equal(before, await notifier.ActiveVersionAsync("welcome", "en"));
            Assert.Empty(errors);
        }
        finally
        {
            // Other tests check the welcome email's subject: it must be the one it was.
            await notifier.ActivateAsync("welcome", "en", before);
        }
    }

    [Fact]
    public async Task An_admin_adds_a_sender_uses_it_makes_it_the_default_and_puts_everything_back()
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        var address = $"sender-{id}@salesmind.test";
        var notifier = await NotifierAdmin.CreateAsync();
        var originalDefault = await notifier.DefaultSenderAsync();
        var welcomeSender = await notifier.TemplateSenderAsync("welcome");
        try
        {
            var (page, errors) = await AdminPageAsync();
            page.Dialog += (_, dialog) => dialog.AcceptAsync();
            await page.ClickAsync(".template-pick[data-key='welcome']");
            await page.SelectOptionAsync("#locale", "en");

            await page.FillAsync("#sender-address", address);
            await page.FillAsync("#sender-name", $"Admin page check {id}");
            await page.FillAsync("#sender-reply-to", $"reply-{id}@salesmind.test");
            await page.ClickAsync("#sender-add");
            var ours = page.Locator($"#senders tr[data-address='{address}']");
            await Assertions.Expect(ours).ToContainTextAsync($"Admin page check {id}");
            await Assertions.Expect(ours).ToContainTextAsync($"reply-{id}@salesmind.test");

            // The welcome email sends from it: the preview says so, and the sender cannot go while it does.
            var ourId = await ours.GetAttributeAsync("data-id");
            await page.SelectOptionAsync("#template-sender", ourId!);
            await page.ClickAsync("#template-sender-save");
            await Assertions.Expect(page.Locator("#template-sender-status")).Not.ToBeEmptyAsync();
            await Assertions.Expect(ours).ToContainTextAsync("welcome");
            await Assertions.Expect(page.Locator("#preview-from")).ToContainTextAsync(address);
            await ours.Locator(".sender-delete").ClickAsync();
            await Assertions.Expect(page.Locator("#senders-status")).ToContainTextAsync("welcome");
            await Assertions.Expect(ours).ToBeVisibleAsync();
            await ShotAsync(page, "admin-5-sender-in-use", "#senders-heading");

            await page.SelectOptionAsync("#template-sender", "");
            await page.ClickAsync("#template-sender-save");
            await Assertions.Expect(ours.Locator("td").Nth(2)).ToHaveTextAsync("None");

            // The new default, then the original one back.
            await ours.Locator(".sender-default").ClickAsync();
            await Assertions.Expect(ours).ToContainTextAsync("Default");
            await Assertions.Expect(page.Locator("#senders tbody tr").First).ToHaveAttributeAsync("data-address", address);
            await Assertions.Expect(page.Locator("#preview-from")).ToContainTextAsync(address);
            await ShotAsync(page, "admin-6-new-default", "#senders-heading");
            Assert.Equal(ourId, await notifier.DefaultSenderAsync());

            var original = page.Locator($"#senders tr[data-id='{originalDefault}']");
            await original.Locator(".sender-default").ClickAsync();
            await Assertions.Expect(original).ToContainTextAsync("Default");
            await Assertions.Expect(ours.Locator(".sender-default")).ToBeVisibleAsync();

            await ours.Locator(".sender-delete").ClickAsync();
            await Assertions.Expect(ours).ToHaveCountAsync(0);
            await Assertions.Expect(page.Locator("#senders-status")).ToContainTextAsync($"{address} was deleted");
            Assert.Equal(originalDefault, await notifier.DefaultSenderAsync());
            Assert.Empty(errors);
        }
        finally
        {
            // Every other test's email comes from the original default sender.
            await notifier.RestoreSendersAsync(originalDefault, "welcome", welcomeSender, address);
        }
    }

    /// <summary>A new verified admin, logged in, who reaches the admin page from their account page.</summary>
    private async Task<(IPage Page, List<string> Errors)> AdminPageAsync()
    {
        var (page, errors) = await SignedInAdmin.OpenAsync(browser, "/admin.html");
        await Assertions.Expect(page.Locator(".template-pick[data-key='welcome']")).ToBeVisibleAsync();
        return (page, errors);
    }

    /// <summary>
    /// Kept with the test results (.stack/test-results/screenshots) for a person to look at. The
    /// screen around <paramref name="near"/> rather than the whole page: headless Chromium paints a
    /// sandboxed frame only in the visible part.
    /// </summary>
    private static async Task ShotAsync(IPage page, string name, string near)
    {
        var dir = Path.Combine(Stack.RepoRoot, ".stack", "test-results", "screenshots");
        Directory.CreateDirectory(dir);
        await page.Locator(near).ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, name + ".png") });
    }

    private static Task<string> StackAsync(params string[] arguments) => SignedInAdmin.StackAsync(arguments);

    /// <summary>The Notifier's admin API behind the front door, for the checks and the clean-up around the browser.</summary>
    private sealed class NotifierAdmin(string token)
    {
        public static async Task<NotifierAdmin> CreateAsync() => new((await SignedInAdmin.AdminTokenAsync()).Token);

        public async Task<int> ActiveVersionAsync(string key, string locale)
        {
            var template = await GetAsync($"templates/{key}");
            return template.GetProperty("locales").EnumerateArray()
                .Single(l => l.GetProperty("locale").GetString() == locale)
                .GetProperty("active_version").GetInt32();
        }

        public async Task ActivateAsync(string key, string locale, int version)
        {
            using var response = await SendAsync(HttpMethod.Post, $"templates/{key}/versions/{locale}/{version}/activate");
            response.EnsureSuccessStatusCode();
        }

        public async Task<string> DefaultSenderAsync() =>
            (await GetAsync("senders")).EnumerateArray().Single(s => s.GetProperty("is_default").GetBoolean()).GetProperty("id").GetString()!;

        public async Task<string?> TemplateSenderAsync(string key) => (await GetAsync($"templates/{key}")).GetProperty("sender_id").GetString();

        /// <summary>The default and the template's sender as they were, and the test's sender gone.</summary>
        public async Task RestoreSendersAsync(string defaultId, string key, string? templateSender, string address)
        {
            var template = await GetAsync($"templates/{key}");
            if (template.GetProperty("sender_id").GetString() != templateSender)
            {
                using var response = await SendAsync(HttpMethod.Put, $"templates/{key}",
                    new { description = template.GetProperty("description").GetString(), sender_id = templateSender });
                response.EnsureSuccessStatusCode();
            }

            using (var response = await SendAsync(HttpMethod.Post, $"senders/{defaultId}/default"))
            {
                response.EnsureSuccessStatusCode();
            }

            foreach (var sender in (await GetAsync("senders")).EnumerateArray().Where(s => s.GetProperty("address").GetString() == address))
            {
                using var response = await SendAsync(HttpMethod.Delete, $"senders/{sender.GetProperty("id").GetString()}");
                response.EnsureSuccessStatusCode();
            }
        }

        private async Task<JsonElement> GetAsync(string path)
        {
            using var response = await SendAsync(HttpMethod.Get, path);
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }

        private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null)
        {
            var request = new HttpRequestMessage(method, $"/notifier/api/admin/{path}");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }

            return FrontDoor.Client.SendAsync(request);
        }
    }
}
