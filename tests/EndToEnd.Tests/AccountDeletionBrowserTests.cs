using System.Text.Json;
using Microsoft.Playwright;
using SalesMind.TestSupport;

namespace SalesMind.EndToEnd.Tests;

/// <summary>
/// A person at 360 px downloads their data, deletes the account, and signs up again with the same
/// address and username at once, all in the browser, with the link from the real mailbox.
/// </summary>
public sealed class AccountDeletionBrowserTests(Browser browser) : IClassFixture<Browser>
{
    private const string Password = "Velvet-Compass-9047";

    private async Task<IPage> NewPageAsync()
    {
        var context = await browser.Instance.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 360, Height = 800 },
            Locale = "ja-JP",
            AcceptDownloads = true,
        });
        return await context.NewPageAsync();
    }

    private static async Task SignUpAsync(IPage page, string username, string email)
    {
        await page.GotoAsync($"{Stack.FrontDoor}/register.html");
        await page.FillAsync("#username", username);
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", Password);
        await page.WaitForSelectorAsync("#industry option[value='retail']", new() { State = WaitForSelectorState.Attached });
        await page.SelectOptionAsync("#industry", "retail");
        await page.ClickAsync("#register-submit");
        await page.WaitForSelectorAsync("#sent-panel", new() { State = WaitForSelectorState.Visible });
    }

    [Fact]
    public async Task A_person_downloads_their_data_deletes_the_account_and_signs_up_again_with_the_same_address()
    {
        var page = await NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            // Chromium logs every 4xx answer as an error; pages ask /me/ and expect a 401 after the deletion.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                errors.Add(message.Text);
            }
        };
        var id = Guid.NewGuid().ToString("N")[..10];
        var username = $"leaver_{id}";
        var email = $"leaver-{id}@mail.test";

        await SignUpAsync(page, username, email);
        var mail = Assert.Single(await Mailbox.WaitForAsync(email, TimeSpan.FromSeconds(15)));
        await page.GotoAsync(FrontDoor.VerificationLink(mail));
        Assert.EndsWith("/email_verified.html", new Uri(page.Url).AbsolutePath);
        await page.GotoAsync($"{Stack.FrontDoor}/login.html?next=/delete_account.html");
        await page.FillAsync("#identifier", username);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("#login-submit");
        await page.WaitForURLAsync("**/delete_account.html", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#delete-username")).ToHaveTextAsync(username);
        await ShotAsync(page, "deletion-1-page");
        // Nothing is wider than the 360 px screen.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"));

        // Download my data: a JSON file named after the account, with the account in it and no secret.
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#export-button"));
        Assert.Equal($"salesmind-account-{username}.json", download.SuggestedFilename);
        var path = await download.PathAsync();
        var file = JsonDocument.Parse(await File.ReadAllTextAsync(path)).RootElement;
        Assert.Equal(email, file.GetProperty("account").GetProperty("email").GetString());
        Assert.DoesNotContain("password_hash", await File.ReadAllTextAsync(path), StringComparison.Ordinal);

        // Delete: the confirmation box is required, then the password.
        await page.FillAsync("#delete-password", Password);
        await page.ClickAsync("#delete-submit");
        await Assertions.Expect(page.Locator("#delete-confirm-error")).Not.ToBeEmptyAsync();
        await page.CheckAsync("#delete-confirm");
        await page.ClickAsync("#delete-submit");
        await Assertions.Expect(page.Locator("#goodbye")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#delete-sections")).ToBeHiddenAsync();
        await ShotAsync(page, "deletion-2-goodbye");
        await page.ClickAsync("#lang-toggle");
        await Assertions.Expect(page.Locator("#goodbye h2")).ToHaveTextAsync("Your account has been deleted");
        await ShotAsync(page, "deletion-3-goodbye-en");

        // The old session is gone: the page now asks to log in.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#delete-signed-out")).ToBeVisibleAsync();

        // The same address and username sign up again at once, and a new link arrives.
        await SignUpAsync(page, username, email);
        // The new account's verification email: only those count (the address gets other mail too).
        var mails = await Mailbox.WaitForAsync(email, TimeSpan.FromSeconds(15), count: 2, template: "email-verification");
        await page.GotoAsync(FrontDoor.VerificationLink(mails[^1]));
        Assert.EndsWith("/email_verified.html", new Uri(page.Url).AbsolutePath);
        Assert.Empty(errors);
    }

    /// <summary>Kept with the test results (.stack/test-results/screenshots) for a person to look at.</summary>
    private static Task ShotAsync(IPage page, string name)
    {
        var dir = Path.Combine(Stack.RepoRoot, ".stack", "test-results", "screenshots");
        Directory.CreateDirectory(dir);
        return page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, name + ".png"), FullPage = true });
    }
}
