using System.Diagnostics;
using Microsoft.Playwright;
using SalesMind.TestSupport;

namespace SalesMind.EndToEnd.Tests;

/// <summary>What the admin-page tests share: a new verified admin signed in through the pages, and the ./stack commands.</summary>
public static class SignedInAdmin
{
    private static readonly TimeSpan MailPatience = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A new account, verified through its emailed link, made admin with ./stack make-admin, logged
    /// in through login.html, which follows the account page's link <paramref name="link"/>. Console
    /// errors and page errors are collected (Chromium logs every 4xx as "Failed to load resource":
    /// those are left out, since the pages meet 4xx by design; a CSP refusal is an error).
    /// </summary>
    public static async Task<(IPage Page, List<string> Errors)> OpenAsync(Browser browser, string link)
    {
        var form = FrontDoor.NewSignup();
        await FrontDoor.RegisterAsync(form);
        var mail = (await Mailbox.WaitForAsync(form["email"]!, MailPatience, template: "email-verification"))[0];
        await FrontDoor.Client.GetAsync(new Uri(FrontDoor.VerificationLink(mail)).PathAndQuery);
        var made = await StackAsync("make-admin", form["username"]!);
        Assert.Contains("is an admin", made, StringComparison.Ordinal);

        var context = await browser.Instance.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Locale = "en-US",
        });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Add(error);

        await page.GotoAsync($"{Stack.FrontDoor}/login.html?lang=en");
        await page.FillAsync("#identifier", form["username"]!);
        await page.FillAsync("#password", form["password"]!);
        await page.ClickAsync("#login-submit");
        await page.WaitForURLAsync("**/account.html", new() { Timeout = 30_000 });
        await page.Locator($"#account-admin a[href='{link}']").ClickAsync();
        await page.WaitForURLAsync($"**{link}", new() { Timeout = 30_000 });
        return (page, errors);
    }

    /// <summary>
    /// A bearer token from ./stack admin-token, as an operator gets one: for a new account,
    /// verified through its emailed link and made admin with ./stack make-admin (the command
    /// serves only a real, active admin). Returns the account's id too.
    /// </summary>
    public static async Task<(string Token, Guid Id)> AdminTokenAsync()
    {
        var form = FrontDoor.NewSignup();
        await FrontDoor.RegisterAsync(form);
        var mail = (await Mailbox.WaitForAsync(form["email"]!, MailPatience, template: "email-verification"))[0];
        await FrontDoor.Client.GetAsync(new Uri(FrontDoor.VerificationLink(mail)).PathAndQuery);
        Assert.Contains("is an admin", await StackAsync("make-admin", form["username"]!), StringComparison.Ordinal);
        var token = (await StackAsync("admin-token", "--name", form["username"]!)).Split('\n')[^1].Trim();
        var id = Guid.Parse(new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token).Subject);
        return (token, id);
    }

    /// <summary>Runs a ./stack command, as an operator would, and returns what it printed.</summary>
    public static async Task<string> StackAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(Stack.RepoRoot, "stack")) { RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"./stack {string.Join(' ', arguments)} exited with {process.ExitCode}: {output}");
        return output.Trim();
    }
}
