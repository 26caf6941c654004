using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using SalesMind.TestSupport;

namespace SalesMind.EndToEnd.Tests;

/// <summary>
/// The account page in two browsers at once: edit the profile in one (a 360 px phone, in
/// Japanese), see both logins listed, sign out everywhere else (the other browser is signed
/// out), change the password, and receive the notice.
/// </summary>
public sealed class AccountPageBrowserTests(Browser browser) : IClassFixture<Browser>
{
    private static readonly TimeSpan MailPatience = TimeSpan.FromSeconds(30);

    private async Task<(IPage Page, List<string> Errors)> LogInAsync(Dictionary<string, string?> form, int width, string language)
    {
        var context = await browser.Instance.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = 900 },
            Locale = language == "ja" ? "ja-JP" : "en-US",
        });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            // Chromium logs every 4xx answer as "Failed to load resource"; the pages meet 4xx by design.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync($"{Stack.FrontDoor}/login.html?lang={language}");
        await page.FillAsync("#identifier", form["username"]!);
        await page.FillAsync("#password", form["password"]!);
        await page.ClickAsync("#login-submit");
        await page.WaitForURLAsync("**/account.html", new() { Timeout = 30_000 });
        await page.WaitForSelectorAsync("#sessions-list .session", new() { State = WaitForSelectorState.Visible });
        return (page, errors);
    }

    private static Task ShotAsync(IPage page, string name)
    {
        var dir = Path.Combine(Stack.RepoRoot, ".stack", "test-results", "screenshots");
        Directory.CreateDirectory(dir);
        return page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, name + ".png"), FullPage = true });
    }

    [Fact]
    public async Task Two_browsers_edit_the_profile_list_the_logins_sign_out_everywhere_else_and_change_the_password()
    {
        var form = FrontDoor.NewSignup("ja");
        Assert.Equal(HttpStatusCode.Accepted, (await FrontDoor.RegisterAsync(form)).StatusCode);
        var mail = (await Mailbox.WaitForAsync(form["email"]!, MailPatience, template: "email-verification"))[0];
        await FrontDoor.Client.GetAsync(new Uri(FrontDoor.VerificationLink(mail)).PathAndQuery);
        var (phone, phoneErrors) = await LogInAsync(form, 360, "ja");
        var (desk, deskErrors) = await LogInAsync(form, 1280, "en");

        // The phone edits the profile, with the sign-up's choices and a refused value first.
        await phone.ReloadAsync();
        await phone.WaitForSelectorAsync("#profile-section", new() { State = WaitForSelectorState.Visible });
        await phone.FillAsync("#purpose", new string('あ', 501));
        await phone.ClickAsync("#profile-submit");
        await Assertions.Expect(phone.Locator("#purpose-error")).ToHaveTextAsync("利用目的は500文字以内で入力してください。");
        await phone.SelectOptionAsync("#industry", "finance");
        await phone.FillAsync("#purpose", "既存顧客の深耕");
        await phone.SelectOptionAsync("#locale", "en");
        await phone.ClickAsync("#profile-submit");
        await Assertions.Expect(phone.Locator("#profile-status")).ToHaveTextAsync("プロフィールを保存しました。");
        await Assertions.Expect(phone.Locator("#account-industry")).ToHaveTextAsync("金融・保険");
        await Assertions.Expect(phone.Locator("#account-purpose")).ToHaveTextAsync("既存顧客の深耕");

        // Both logins are listed; this one is marked, the other has its own button.
        await Assertions.Expect(phone.Locator("#sessions-list .session")).ToHaveCountAsync(2);
        await Assertions.Expect(phone.Locator("#sessions-list .session.is-current")).ToHaveCountAsync(1);
        await Assertions.Expect(phone.Locator("#sessions-list .session.is-current")).ToContainTextAsync("このブラウザー");
        await Assertions.Expect(phone.Locator("#sessions-list .session:not(.is-current) .session-end")).ToHaveCountAsync(1);
        await Assertions.Expect(phone.Locator("a[href='/change_email.html']")).ToHaveTextAsync("メールアドレスを変更する");
        await Assertions.Expect(phone.Locator("a[href='/delete_account.html']")).ToHaveTextAsync("アカウントを削除する");
        // Nothing sticks out of a 360 px screen.
        Assert.True(await phone.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways at 360 px");
        await ShotAsync(phone, "account-1-profile-and-sessions-360");
        await Assertions.Expect(desk.Locator("#sessions-list .session")).ToHaveCountAsync(2);
        await Assertions.Expect(desk.Locator("#sessions-list .session.is-current")).ToContainTextAsync("This browser");

        // Sign out everywhere else: the desk browser is signed out, the phone stays.
        await phone.ClickAsync("#sessions-end-others");
        await Assertions.Expect(phone.Locator("#sessions-status")).ToContainTextAsync("1件");
        await Assertions.Expect(phone.Locator("#sessions-list .session")).ToHaveCountAsync(1);
        await Assertions.Expect(phone.Locator("#sessions-end-others")).ToBeHiddenAsync();
        await desk.ReloadAsync();
        await desk.WaitForURLAsync("**/login.html", new() { Timeout = 30_000 });

        // A new password: a wrong current one first, then the right one.
        const string NewPassword = "Maple-Lantern-7730";
        await phone.FillAsync("#current_password", "Not-The-Password-0");
        await phone.FillAsync("#new_password", NewPassword);
        await phone.FillAsync("#password_confirm", NewPassword);
        await phone.ClickAsync("#password-submit");
        await Assertions.Expect(phone.Locator("#current_password-error")).ToHaveTextAsync("現在のパスワードが正しくありません。");
        await phone.FillAsync("#current_password", form["password"]!);
        await phone.ClickAsync("#password-submit");
        await Assertions.Expect(phone.Locator("#password-status")).ToHaveTextAsync("パスワードを変更しました。");
        await Assertions.Expect(phone.Locator("#current_password")).ToHaveValueAsync("");
        await ShotAsync(phone, "account-2-password-changed-360");
        await phone.ReloadAsync();
        await phone.WaitForSelectorAsync("#sessions-list .session", new() { State = WaitForSelectorState.Visible });
        Assert.EndsWith("/account.html", phone.Url, StringComparison.Ordinal);

        var oldLogin = await FrontDoor.Client.PostAsJsonAsync("/api/auth/login/", new { username_or_email = form["username"], password = form["password"] });
        Assert.Equal(HttpStatusCode.Forbidden, oldLogin.StatusCode); // no X-CSRF: refused before any password is looked at
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login/") { Content = JsonContent.Create(new { username_or_email = form["username"], password = NewPassword }) })
        {
            request.Headers.Add("X-CSRF", "1");
            Assert.Equal(HttpStatusCode.OK, (await FrontDoor.Client.SendAsync(request)).StatusCode);
        }

        await phone.ClickAsync("#lang-toggle");
        await Assertions.Expect(phone.Locator("#profile-heading")).ToHaveTextAsync("Edit your profile");
        await Assertions.Expect(phone.Locator("#sessions-list .session.is-current")).ToContainTextAsync("This browser");
        await Assertions.Expect(phone.Locator("#sessions-list .session.is-current .session-device")).ToHaveTextAsync("Chrome on Linux");
        await Assertions.Expect(phone.Locator("#industry option:checked")).ToHaveTextAsync("Finance & insurance");
        await ShotAsync(phone, "account-3-english-360");
        Assert.Empty(phoneErrors);
        Assert.Empty(deskErrors);
        // The notice, in the language just chosen for the account's emails, with no secret in it.
        var notice = Assert.Single(await Mailbox.WaitForAsync(form["email"]!, MailPatience, template: "password-changed"));
        Assert.Equal("Your SalesMind password was changed", notice.Subject);
        Assert.Contains("/forgot_password.html", notice.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain(NewPassword, notice.TextBody, StringComparison.Ordinal);
    }
}
