using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SalesMind.TestSupport;

namespace SalesMind.EndToEnd.Tests;

/// <summary>
/// An admin in a browser looks after an account on the users page: finds it, sees the emails sent
/// to its address with their fates, deactivates and reactivates it, makes it an admin (and takes
/// that back), and finds every change in the audit, in English, in Japanese and on a phone.
/// </summary>
public sealed class UsersPageTests(Browser browser) : IClassFixture<Browser>
{
    private static readonly TimeSpan MailPatience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_admin_finds_an_account_sees_its_emails_deactivates_reactivates_makes_it_admin_and_sees_the_audit()
    {
        // The account looked after: signed up and verified through its emailed link, as anybody would.
        var target = FrontDoor.NewSignup();
        await FrontDoor.RegisterAsync(target);
        var mail = (await Mailbox.WaitForAsync(target["email"]!, MailPatience, template: "email-verification"))[0];
        await FrontDoor.Client.GetAsync(new Uri(FrontDoor.VerificationLink(mail)).PathAndQuery);

        var (page, errors) = await SignedInAdmin.OpenAsync(browser, "/admin.html");
        await JourneyAsync(page, errors, target);
    }

    /// <summary>The journey, from the template admin page of a signed-in admin, for <paramref name="target"/> (verified, mailed once).</summary>
    internal static async Task JourneyAsync(IPage page, List<string> errors, Dictionary<string, string?> target)
    {
        // The admin reaches the users page from the template admin page's links.
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.ClickAsync(".admin-links a[href='/users.html']");
        await page.WaitForURLAsync("**/users.html", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#users-app")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#admin-signed-in")).ToContainTextAsync("Signed in as ");
        var admin = Regex.Match(await page.Locator("#admin-signed-in").InnerTextAsync(), @"Signed in as (\S+)\.").Groups[1].Value;

        // Found by the start of its username, among the verified accounts.
        await page.FillAsync("#users-q", target["username"]![..^2]);
        await page.SelectOptionAsync("#users-filter", "verified");
        await page.ClickAsync("#users-search");
        var row = page.Locator("#users tbody tr").Filter(new() { HasText = target["username"]! });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync("Verified");
        await row.Locator(".user-open").ClickAsync();
        await Assertions.Expect(page.Locator("#user-heading")).ToHaveTextAsync(target["username"]!);
        await Assertions.Expect(page.Locator("#user-heading")).ToBeFocusedAsync();
        await Assertions.Expect(page.Locator("#user-facts")).ToContainTextAsync(target["email"]!);
        await Assertions.Expect(page.Locator("#profile-industry")).ToHaveValueAsync(target["industry"]!);

        // The verification email to its address, from the Notifier, with its fate.
        var email = page.Locator("#emails tbody tr").Filter(new() { HasText = "email-verification" });
        await Assertions.Expect(email).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await Assertions.Expect(email).ToHaveAttributeAsync("data-status", new Regex("^(sent|delivered)$"));
        await Assertions.Expect(email.Locator(".status-badge")).ToHaveTextAsync(new Regex("^(Sent|Delivered)$"));

        // Deactivated, then reactivated.
        await page.ClickAsync("#user-deactivate");
        await Assertions.Expect(page.Locator("#user-action-status")).ToContainTextAsync($"{target["username"]} is deactivated");
        await Assertions.Expect(page.Locator("#user-badges")).ToContainTextAsync("Deactivated");
        await Assertions.Expect(page.Locator("#user-deactivate")).ToBeHiddenAsync();
        await page.ClickAsync("#user-reactivate");
        await Assertions.Expect(page.Locator("#user-action-status")).ToContainTextAsync("is active again");
        await Assertions.Expect(page.Locator("#user-badges")).Not.ToContainTextAsync("Deactivated");

        // Made an admin.
        await page.ClickAsync("#user-grant-admin");
        await Assertions.Expect(page.Locator("#user-action-status")).ToContainTextAsync("is now an admin");
        await Assertions.Expect(page.Locator("#user-badges")).ToContainTextAsync("Admin");
        await Assertions.Expect(page.Locator("#user-revoke-admin")).ToBeVisibleAsync();

        // A profile change with the sign-up's rule first, then a valid one.
        await page.FillAsync("#profile-purpose", new string('x', 501));
        await page.ClickAsync("#profile-save");
        await Assertions.Expect(page.Locator("#profile-purpose-error")).ToHaveTextAsync("Purpose must be at most 500 characters.");
        await page.FillAsync("#profile-purpose", "Renewals in the north");
        await page.SelectOptionAsync("#profile-industry", "retail");
        await page.ClickAsync("#profile-save");
        await Assertions.Expect(page.Locator("#profile-status")).ToHaveTextAsync("The profile is saved.");

        // Every change is in the account's audit, newest first, with who made it (the owner's own
        // changes, if any, come before them: only the newest four are the admin's).
        var audit = page.Locator("#user-audit tbody tr");
        await Assertions.Expect(audit.Nth(0)).ToHaveAttributeAsync("data-action", "profile.updated");
        await Assertions.Expect(audit.Nth(0)).ToContainTextAsync("industry: retail");
        await Assertions.Expect(audit.Nth(1)).ToHaveAttributeAsync("data-action", "role.granted");
        await Assertions.Expect(audit.Nth(1)).ToContainTextAsync("roles: admin");
        await Assertions.Expect(audit.Nth(2)).ToHaveAttributeAsync("data-action", "reactivated");
        await Assertions.Expect(audit.Nth(3)).ToHaveAttributeAsync("data-action", "deactivated");
        await Assertions.Expect(audit.Nth(3)).ToContainTextAsync(admin);
        // And in the audit of all accounts.
        await page.ClickAsync("#audit-refresh");
        var all = page.Locator("#audit tbody tr").Filter(new() { HasText = target["username"]! });
        foreach (var action in new[] { "profile.updated", "role.granted", "reactivated", "deactivated" })
        {
            await Assertions.Expect(all.And(page.Locator($"[data-action='{action}']"))).ToHaveCountAsync(1);
        }


        // In Japanese, the same account and its history.
        await page.ClickAsync("#lang-toggle");
        await Assertions.Expect(page.Locator("#user-badges")).ToContainTextAsync("管理者");
        await Assertions.Expect(page.Locator("#user-audit thead")).ToContainTextAsync("実行者");

        // On a phone: nothing wider than the screen.
        await page.SetViewportSizeAsync(360, 800);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "the users page should fit a 360px screen");
        await ShotAsync(page, "users-1-account");

        // Taken back: the shared stack keeps no extra admin.
        await page.ClickAsync("#user-revoke-admin");
        await Assertions.Expect(page.Locator("#user-grant-admin")).ToBeVisibleAsync();
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_signed_out_visitor_is_offered_the_login_that_comes_back_to_the_users_page()
    {
        var context = await browser.Instance.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{Stack.FrontDoor}/users.html?lang=en");
        await Assertions.Expect(page.Locator("#access-signed-out")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#users-app")).ToBeHiddenAsync();
        Assert.Equal("/login.html?next=%2Fusers.html", await page.GetAttributeAsync("#access-login", "href"));
        await context.CloseAsync();
    }

    /// <summary>Kept with the test results (.stack/test-results/screenshots) for a person to look at.</summary>
    private static async Task ShotAsync(IPage page, string name)
    {
        var dir = Path.Combine(Stack.RepoRoot, ".stack", "test-results", "screenshots");
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, name + ".png"), FullPage = true });
    }
}
