using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SalesMind.TestSupport;

namespace SalesMind.EndToEnd.Tests;

/// <summary>
/// A person who reads the confirmation email on another device: they type its 6-digit code into
/// the page instead of opening the link, on a 360 px screen.
/// </summary>
public sealed partial class VerifyByCodeBrowserTests(Browser browser) : IClassFixture<Browser>
{
    private async Task<IPage> NewPageAsync()
    {
        var context = await browser.Instance.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 360, Height = 800 },
            Locale = "ja-JP",
        });
        return await context.NewPageAsync();
    }

    /// <summary>The code in an email's plain-text part (the digits after the "enter this code" line's colon).</summary>
    private static string CodeIn(MimeKit.MimeMessage mail)
    {
        var match = Code().Match(mail.TextBody ?? "");
        Assert.True(match.Success, "no 6-digit code in the email's text part");
        return match.Groups["code"].Value;
    }

    [GeneratedRegex(@"[:：]\s*(?<code>[0-9]{6})\s*$", RegexOptions.Multiline)]
    private static partial Regex Code();

    [Fact]
    public async Task A_person_signs_up_types_the_emailed_code_on_the_check_email_page_and_logs_in()
    {
        var page = await NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                errors.Add(message.Text);
            }
        };
        var id = Guid.NewGuid().ToString("N")[..10];
        var email = $"code-{id}@mail.test";

        await page.GotoAsync($"{Stack.FrontDoor}/register.html");
        await page.FillAsync("#username", $"code_{id}");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", "Amber-Lantern-5281");
        await page.WaitForSelectorAsync("#industry option[value='retail']", new() { State = WaitForSelectorState.Attached });
        await page.SelectOptionAsync("#industry", "retail");
        await page.ClickAsync("#register-submit");
        await page.WaitForSelectorAsync("#sent-panel", new() { State = WaitForSelectorState.Visible });

        var code = page.Locator("#code");
        Assert.Equal("numeric", await code.GetAttributeAsync("inputmode"));
        Assert.Equal("one-time-code", await code.GetAttributeAsync("autocomplete"));

        var mail = Assert.Single(await Mailbox.WaitForAsync(email, TimeSpan.FromSeconds(15)));
        var right = CodeIn(mail);
        Assert.Contains(right, mail.HtmlBody);

        // A wrong code is refused, visibly, beside the field.
        var wrong = ((int.Parse(right) + 1) % 1_000_000).ToString("D6");
        await code.FillAsync(wrong);
        await page.ClickAsync("#code-submit");
        await Assertions.Expect(page.Locator("#code-error")).ToContainTextAsync("コード");
        await Assertions.Expect(code).ToHaveAttributeAsync("aria-invalid", "true");
        await ShotAsync(page, "code-1-wrong");

        // The right one, typed with a Japanese keyboard's full-width digits.
        await code.FillAsync(string.Concat(right.Select(c => (char)('０' + (c - '0')))));
        await PassesThroughVerifiedToLoginAsync(page, () => page.ClickAsync("#code-submit"));

        await page.FillAsync("#identifier", $"code_{id}");
        await page.FillAsync("#password", "Amber-Lantern-5281");
        await page.ClickAsync("#login-submit");
        await page.WaitForURLAsync("**/account.html", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#account-email")).ToHaveTextAsync(email);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_code_page_takes_the_address_from_the_link_and_verifies_in_english()
    {
        var form = FrontDoor.NewSignup("en");
        await FrontDoor.RegisterAsync(form);
        var mail = Assert.Single(await Mailbox.WaitForAsync(form["email"]!, TimeSpan.FromSeconds(15)));
        var page = await NewPageAsync();

        await page.GotoAsync($"{Stack.FrontDoor}/verify_code.html?email={Uri.EscapeDataString(form["email"]!)}");
        await page.ClickAsync("#lang-toggle");
        await Assertions.Expect(page.Locator("#verify-code-heading")).ToHaveTextAsync("Enter your confirmation code");
        Assert.Equal(form["email"], await page.InputValueAsync("#email"));
        await page.ClickAsync("#code-submit");
        await Assertions.Expect(page.Locator("#code-error")).ToHaveTextAsync("Enter the confirmation code.");
        await ShotAsync(page, "code-3-page-en");

        await page.FillAsync("#code", CodeIn(mail));
        await PassesThroughVerifiedToLoginAsync(page, () => page.ClickAsync("#code-submit"));
    }

    /// <summary>
    /// Runs <paramref name="action"/> and waits until the page has passed through the success
    /// page to the login, where the success page moves on by itself after a few seconds: the
    /// pages are recorded as they load, so a slow machine cannot miss the first one.
    /// </summary>
    private static async Task PassesThroughVerifiedToLoginAsync(IPage page, Func<Task> action)
    {
        var visited = new List<string>();
        void Record(object? sender, IFrame frame)
        {
            if (frame == page.MainFrame)
            {
                lock (visited)
                {
                    visited.Add(frame.Url);
                }
            }
        }

        page.FrameNavigated += Record;
        try
        {
            await action();
            await page.WaitForURLAsync("**/login.html", new() { Timeout = 60_000 });
        }
        finally
        {
            page.FrameNavigated -= Record;
        }

        lock (visited)
        {
            Assert.Contains(visited, url => url.Contains("/email_verified.html", StringComparison.Ordinal));
        }
    }

    private static Task ShotAsync(IPage page, string name)
    {
        var dir = Path.Combine(Stack.RepoRoot, ".stack", "test-results", "screenshots");
        Directory.CreateDirectory(dir);
        return page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, name + ".png"), FullPage = true });
    }
}
