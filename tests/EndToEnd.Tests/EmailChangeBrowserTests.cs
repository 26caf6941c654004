using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SalesMind.TestSupport;

namespace SalesMind.EndToEnd.Tests;

/// <summary>A signed-in person moves their account to a new address and, from the old mailbox, takes it back.</summary>
public sealed partial class EmailChangeBrowserTests(Browser browser) : IClassFixture<Browser>
{
    private static readonly TimeSpan MailPatience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_person_changes_their_address_with_the_emailed_code_and_the_old_mailbox_undoes_it()
    {
        var form = FrontDoor.NewSignup("en");
        var oldEmail = form["email"]!;
        var newEmail = Stack.NewMailbox("e2e-moved");
        Assert.Equal(HttpStatusCode.Accepted, (await FrontDoor.RegisterAsync(form)).StatusCode);
        var verification = Assert.Single(await Mailbox.WaitForAsync(oldEmail, MailPatience, template: "email-verification"));
        Assert.Equal(HttpStatusCode.Found, (await FrontDoor.Client.GetAsync(OnFrontDoor(FrontDoor.VerificationLink(verification)))).StatusCode);

        var context = await browser.Instance.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 360, Height = 800 },
            Locale = "en-US",
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"{Stack.FrontDoor}/login.html?lang=en&next=/change_email.html");
        await page.FillAsync("#identifier", oldEmail);
        await page.FillAsync("#password", form["password"]!);
        await page.ClickAsync("#login-submit");
        await page.WaitForURLAsync("**/change_email.html", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#change-current")).ToHaveTextAsync(oldEmail);

        // The new address and the current password; then the code from the NEW mailbox.
        await page.FillAsync("#new-email", newEmail);
        await page.FillAsync("#password", form["password"]!);
        await page.ClickAsync("#change-submit");
        await Assertions.Expect(page.Locator("#change-code")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#code-address")).ToHaveTextAsync(newEmail);
        var confirmation = Assert.Single(await Mailbox.WaitForAsync(newEmail, MailPatience));
        var code = CodeLine().Match(confirmation.TextBody ?? "").Groups[1].Value;
        Assert.Matches("^[0-9]{6}$", code);
        await page.FillAsync("#code", code);
        await page.ClickAsync("#code-submit");
        await Assertions.Expect(page.Locator("#change-done")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#done-address")).ToHaveTextAsync(newEmail);
        Assert.True(await ScrollWidthAsync(page) <= 360, "the page is wider than a 360 px screen");

        // The OLD mailbox gets the notice with the undo link; opening it alone changes nothing.
        var notice = Assert.Single(await Mailbox.WaitForAsync(oldEmail, MailPatience, template: "email-changed"));
        var undoLink = UndoLink().Match(notice.TextBody ?? "").Value;
        // Opened elsewhere (the old mailbox is often read on another device): this browser keeps its cookie.
        var elsewhere = await browser.Instance.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 360, Height = 800 },
            Locale = "en-US",
        });
        var undoPage = await elsewhere.NewPageAsync();
        await undoPage.GotoAsync(OnFrontDoor(undoLink));
        await Assertions.Expect(undoPage.Locator("#change-undo")).ToBeVisibleAsync();
        Assert.Equal(HttpStatusCode.OK, await FetchMeAsync(page));
        await undoPage.ClickAsync("#undo-submit");
        await Assertions.Expect(undoPage.Locator("#change-undone")).ToBeVisibleAsync();
        await Assertions.Expect(undoPage.Locator("#undone-address")).ToHaveTextAsync(oldEmail);
        // The page speaks Japanese by default: the advice is known by its text key.
        await Assertions.Expect(undoPage.Locator("#undone-advice")).ToHaveAttributeAsync("data-i18n", "changeEmail.undone.passwordReset");
        await Assertions.Expect(undoPage.Locator("a[href='/forgot_password.html']")).ToBeVisibleAsync();

        // Signed out everywhere: the first browser still sends its cookie, and its session is gone.
        Assert.Equal(HttpStatusCode.Unauthorized, await FetchMeAsync(page));

        // Whoever made the change knew the password: it works with neither address now.
        await page.GotoAsync($"{Stack.FrontDoor}/login.html?lang=en");
        await page.FillAsync("#identifier", newEmail);
        await page.FillAsync("#password", form["password"]!);
        await page.ClickAsync("#login-submit");
        await Assertions.Expect(page.Locator("#login-status")).Not.ToBeEmptyAsync();
        await page.FillAsync("#identifier", oldEmail);
        var refused = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#login-submit"), r => r.Url.Contains("/api/auth/login/"));
        Assert.Equal((int)HttpStatusCode.Unauthorized, refused.Status);

        // The old mailbox got the link to choose a new one; with it the old address logs in again.
        var reset = Assert.Single(await Mailbox.WaitForAsync(oldEmail, MailPatience, template: "password-reset"));
        var resetLink = ResetLink().Match(reset.TextBody ?? "").Value;
        await page.GotoAsync(OnFrontDoor(resetLink));
        await page.FillAsync("#password", "Copper-Harbor-6183");
        await page.FillAsync("#password-confirm", "Copper-Harbor-6183");
        await page.ClickAsync("#reset-submit");
        await Assertions.Expect(page.Locator("#reset-done")).ToBeVisibleAsync();
        await page.GotoAsync($"{Stack.FrontDoor}/login.html?lang=en");
        await page.FillAsync("#identifier", oldEmail);
        await page.FillAsync("#password", "Copper-Harbor-6183");
        await page.ClickAsync("#login-submit");
        await page.WaitForURLAsync("**/account.html", new() { Timeout = 30_000 });
    }

    /// <summary>The status of <c>/api/auth/me/</c> as the page's own cookies get it.</summary>
    private static async Task<HttpStatusCode> FetchMeAsync(IPage page) =>
        (HttpStatusCode)await page.EvaluateAsync<int>("async () => (await fetch('/api/auth/me/', { credentials: 'same-origin' })).status");

    private static Task<int> ScrollWidthAsync(IPage page) => page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");

    /// <summary>A mailed link's path and query on the front door under test (the mail names the public address).</summary>
    private static string OnFrontDoor(string link)
    {
        var uri = new Uri(link);
        return $"{Stack.FrontDoor}{uri.PathAndQuery}";
    }

    // The code stands alone on an indented line of the text part.
    [GeneratedRegex(@"^\s+([0-9]{6})\s*$", RegexOptions.Multiline)]
    private static partial Regex CodeLine();

    [GeneratedRegex(@"https?://\S+/change_email\.html\?undo_token=[A-Za-z0-9_-]+")]
    private static partial Regex UndoLink();

    [GeneratedRegex(@"https?://\S+/reset_password\.html\?token=[A-Za-z0-9_-]+")]
    private static partial Regex ResetLink();
}
