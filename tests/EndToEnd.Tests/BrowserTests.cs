using Microsoft.Playwright;
using SalesMind.TestSupport;

namespace SalesMind.EndToEnd.Tests;

/// <summary>Debian's Chromium, headless, started once for the test class.</summary>
public sealed class Browser : IAsyncLifetime
{
    private IPlaywright _playwright = null!;

    public IBrowser Instance { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Instance = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("SALESMIND_TEST_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            // The machine has no network beyond loopback: keep Chromium from trying to phone home.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    public async Task DisposeAsync()
    {
        await Instance.DisposeAsync();
        _playwright.Dispose();
    }
}

/// <summary>A person in a browser: the sign-up page, their mailbox, the link, the countdown to login.</summary>
public sealed class BrowserTests(Browser browser) : IClassFixture<Browser>
{
    private async Task<IPage> NewPageAsync(int width = 1280)
    {
        var context = await browser.Instance.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = 900 },
            Locale = "ja-JP",
        });
        return await context.NewPageAsync();
    }

    [Fact]
    public async Task A_person_signs_up_in_the_browser_clicks_the_emailed_link_and_is_sent_to_login()
    {
        var page = await NewPageAsync(width: 360);
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            // Chromium logs every 4xx answer as an error; the login page asks /me/ and expects a 401.
            if (message.Type == "error" && !message.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                errors.Add(message.Text);
            }
        };
        var id = Guid.NewGuid().ToString("N")[..10];
        var email = $"browser-{id}@mail.test";

        await page.GotoAsync($"{Stack.FrontDoor}/register.html");
        await page.FillAsync("#username", $"browser_{id}");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", "Velvet-Compass-9047");
        await page.WaitForSelectorAsync("#industry option[value='retail']", new() { State = WaitForSelectorState.Attached });
        await page.SelectOptionAsync("#industry", "retail");
        await page.SelectOptionAsync("#sales_experience", "3_to_5_years");
        await page.FillAsync("#purpose", "新規顧客の開拓");
        await page.ClickAsync("#register-submit");

        await page.WaitForSelectorAsync("#sent-panel", new() { State = WaitForSelectorState.Visible });
        Assert.Equal(email, (await page.TextContentAsync("#sent-email"))?.Trim());
        // Resend waits out its cooldown, visibly.
        await Assertions.Expect(page.Locator("#resend")).ToBeDisabledAsync();
        await ShotAsync(page, "journey-1-check-email");

        var mail = Assert.Single(await Mailbox.WaitForAsync(email, TimeSpan.FromSeconds(15)));
        Assert.Equal("SalesMind メールアドレスの確認をお願いします", mail.Subject);

        await page.GotoAsync(FrontDoor.VerificationLink(mail));
        Assert.EndsWith("/email_verified.html", new Uri(page.Url).AbsolutePath);
        await ShotAsync(page, "journey-2-verified");
        await page.WaitForURLAsync("**/login.html", new() { Timeout = 30_000 });
        await ShotAsync(page, "journey-3-login");

        await page.FillAsync("#identifier", $"browser_{id}");
        await page.FillAsync("#password", "Velvet-Compass-9047");
        await page.ClickAsync("#login-submit");
        await page.WaitForURLAsync("**/account.html", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#account-email")).ToHaveTextAsync(email);
        await ShotAsync(page, "journey-4-account");
        await page.ClickAsync("#logout");
        await page.WaitForURLAsync("**/login.html**", new() { Timeout = 30_000 });
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_person_who_mistypes_their_address_is_told_the_email_could_not_be_delivered()
    {
        var page = await NewPageAsync(width: 360);
        var id = Guid.NewGuid().ToString("N")[..10];

        await page.GotoAsync($"{Stack.FrontDoor}/register.html?lang=en");
        await page.FillAsync("#username", $"browser_{id}");
        await page.FillAsync("#email", $"browser-{id}@bounce.test");
        await page.FillAsync("#password", "Velvet-Compass-9047");
        await page.WaitForSelectorAsync("#industry option[value='retail']", new() { State = WaitForSelectorState.Attached });
        await page.SelectOptionAsync("#industry", "retail");
        await page.ClickAsync("#register-submit");
        await page.WaitForSelectorAsync("#sent-panel", new() { State = WaitForSelectorState.Visible });

        // The mail server bounces it; the page that is waiting for it says so, with the reason's code.
        var warning = page.Locator("#mail-unreachable");
        await Assertions.Expect(warning).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(warning).ToContainTextAsync("could not deliver");
        await Assertions.Expect(warning).ToContainTextAsync("5.1.1");
        await ShotAsync(page, "journey-unreachable-address");
    }

    [Fact]
    public async Task A_person_whose_provider_refuses_our_mail_is_told_the_fault_is_ours_not_their_address()
    {
        var page = await NewPageAsync(width: 360);
        var id = Guid.NewGuid().ToString("N")[..10];

        await page.GotoAsync($"{Stack.FrontDoor}/register.html?lang=en");
        await page.FillAsync("#username", $"browser_{id}");
        // The stack's mail server refuses blocked.test with "5.7.1 blocked by policy": class throttled.
        await page.FillAsync("#email", $"browser-{id}@blocked.test");
        await page.FillAsync("#password", "Velvet-Compass-9047");
        await page.WaitForSelectorAsync("#industry option[value='retail']", new() { State = WaitForSelectorState.Attached });
        await page.SelectOptionAsync("#industry", "retail");
        await page.ClickAsync("#register-submit");
        await page.WaitForSelectorAsync("#sent-panel", new() { State = WaitForSelectorState.Visible });

        var warning = page.Locator("#mail-unreachable");
        await Assertions.Expect(warning).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(warning).ToContainTextAsync("problem on our side");
        await Assertions.Expect(warning).ToContainTextAsync("5.7.1");
        await Assertions.Expect(warning).Not.ToContainTextAsync("typos");
        await ShotAsync(page, "journey-provider-refused");
    }

    [Fact]
    public async Task A_busy_answer_is_sent_again_after_its_retry_after_and_the_sign_up_completes_once()
    {
        var page = await NewPageAsync();
        var id = Guid.NewGuid().ToString("N")[..10];
        var email = $"busy-{id}@mail.test";
        // The service sheds load with 503 and Retry-After: the first two sign-up posts get that
        // answer (made here, in the browser's network layer), the third goes through.
        var busy = 0;
        await page.RouteAsync("**/api/auth/register/", async route =>
        {
            if (Interlocked.Increment(ref busy) <= 2)
            {
                await route.FulfillAsync(new()
                {
                    Status = 503,
                    Headers = new Dictionary<string, string> { ["Retry-After"] = "1", ["Content-Type"] = "application/problem+json" },
                    Body = "{\"title\":\"Busy\",\"status\":503}",
                });
                return;
            }

            await route.ContinueAsync();
        });

        await page.GotoAsync($"{Stack.FrontDoor}/register.html?lang=en");
        await page.FillAsync("#username", $"busy_{id}");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", "Velvet-Compass-9047");
        await page.WaitForSelectorAsync("#industry option[value='retail']", new() { State = WaitForSelectorState.Attached });
        await page.SelectOptionAsync("#industry", "retail");
        await page.ClickAsync("#register-submit");

        // The page says it is trying again, then shows the sent panel; one email arrives.
        await Assertions.Expect(page.Locator("#form-status")).ToContainTextAsync("Sending again in 1 s");
        await page.WaitForSelectorAsync("#sent-panel", new() { State = WaitForSelectorState.Visible, Timeout = 20_000 });
        Assert.Equal(3, Volatile.Read(ref busy));
        Assert.Single(await Mailbox.WaitForAsync(email, TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task The_Notifier_API_reference_loads_its_document_through_the_front_door()
    {
        var page = await NewPageAsync();
        var documents = new List<string>();
        page.Response += (_, response) =>
        {
            if (response.Url.Contains("openapi/v1.json", StringComparison.Ordinal))
            {
                documents.Add($"{response.Status} {new Uri(response.Url).AbsolutePath}");
            }
        };

        await page.GotoAsync($"{Stack.FrontDoor}/notifier/docs/");

        // The reference is drawn from the document: an operation's summary appears.
        await Assertions.Expect(page.GetByText("Save a new version of one locale").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        Assert.Contains("200 /notifier/openapi/v1.json", documents);
    }

    [Fact]
    public async Task The_servers_field_errors_appear_beside_their_fields()
    {
        var taken = FrontDoor.NewSignup();
        await FrontDoor.RegisterAsync(taken);
        var page = await NewPageAsync();

        await page.GotoAsync($"{Stack.FrontDoor}/register.html?lang=en");
        await page.FillAsync("#username", taken["username"]!);
        await page.FillAsync("#email", $"other-{Guid.NewGuid():N}@mail.test");
        await page.FillAsync("#password", "Velvet-Compass-9047");
        await page.WaitForSelectorAsync("#industry option[value='retail']", new() { State = WaitForSelectorState.Attached });
        await page.SelectOptionAsync("#industry", "retail");
        await page.ClickAsync("#register-submit");

        var error = page.Locator("#username-error");
        await Assertions.Expect(error).ToHaveTextAsync("This username is already taken.");
        Assert.Equal("true", await page.GetAttributeAsync("#username", "aria-invalid"));
    }

    /// <summary>Kept with the test results (.stack/test-results/screenshots) for a person to look at.</summary>
    private static Task ShotAsync(IPage page, string name)
    {
        var dir = Path.Combine(Stack.RepoRoot, ".stack", "test-results", "screenshots");
        Directory.CreateDirectory(dir);
        return page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, name + ".png"), FullPage = true });
    }

    [Fact]
    public async Task An_expired_link_leads_to_a_new_one_that_works()
    {
        var form = FrontDoor.NewSignup("ja");
        await FrontDoor.RegisterAsync(form);
        var first = Assert.Single(await Mailbox.WaitForAsync(form["email"]!, TimeSpan.FromSeconds(15)));
        await using (var connection = new Npgsql.NpgsqlConnection(Stack.IdentityDatabase))
        {
            await connection.OpenAsync();
            // The link is a day old: expired, and the one-a-minute cooldown long over.
            await using var age = new Npgsql.NpgsqlCommand(
                "UPDATE email_verification_tokens t SET expires_at = now() - interval '1 minute', created_at = now() - interval '1 day' FROM users u WHERE u.id = t.user_id AND u.email = $1",
                connection);
            age.Parameters.Add(new Npgsql.NpgsqlParameter { Value = form["email"]! });
            await age.ExecuteNonQueryAsync();
        }

        var page = await NewPageAsync(width: 360);
        await page.GotoAsync(FrontDoor.VerificationLink(first));
        Assert.Contains("reason=expired", page.Url);
        await page.FillAsync("#resend-email", form["email"]!);
        await page.ClickAsync("#resend-submit");
        await Assertions.Expect(page.Locator("#resend-status")).Not.ToBeEmptyAsync();
        await ShotAsync(page, "expired-resend");

        var mails = await Mailbox.WaitForAsync(form["email"]!, TimeSpan.FromSeconds(15), count: 2);
        await page.GotoAsync(FrontDoor.VerificationLink(mails[1]));
        Assert.EndsWith("/email_verified.html", new Uri(page.Url).AbsolutePath);
    }

    [Fact]
    public async Task A_verified_person_logs_in_sees_their_account_and_logs_out()
    {
        var form = FrontDoor.NewSignup();
        await FrontDoor.RegisterAsync(form);
        var mail = Assert.Single(await Mailbox.WaitForAsync(form["email"]!, TimeSpan.FromSeconds(15)));
        await FrontDoor.Client.GetAsync(new Uri(FrontDoor.VerificationLink(mail)).PathAndQuery);
        var page = await NewPageAsync(width: 360);

        await page.GotoAsync($"{Stack.FrontDoor}/login.html?lang=en");
        await page.FillAsync("#identifier", form["email"]!);
        await page.FillAsync("#password", form["password"]!);
        await page.ClickAsync("#login-submit");

        await page.WaitForURLAsync("**/account.html", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#account-username")).ToHaveTextAsync(form["username"]!);
        await Assertions.Expect(page.Locator("#account-email")).ToHaveTextAsync(form["email"]!);
        await page.ClickAsync("#logout");
        await page.WaitForURLAsync("**/login.html**", new() { Timeout = 30_000 });
        var me = await page.APIRequest.GetAsync($"{Stack.FrontDoor}/api/auth/me/");
        Assert.Equal(401, me.Status);
    }

    [Fact]
    public async Task A_person_who_forgot_their_password_sets_a_new_one_from_the_emailed_link()
    {
        var form = FrontDoor.NewSignup();
        await FrontDoor.RegisterAsync(form);
        var welcome = Assert.Single(await Mailbox.WaitForAsync(form["email"]!, TimeSpan.FromSeconds(15)));
        await FrontDoor.Client.GetAsync(new Uri(FrontDoor.VerificationLink(welcome)).PathAndQuery);
        var page = await NewPageAsync(width: 360);

        await page.GotoAsync($"{Stack.FrontDoor}/login.html?lang=en");
        await page.ClickAsync("#forgot-password");
        await page.FillAsync("#email", form["email"]!);
        await page.ClickAsync("#forgot-submit");
        await Assertions.Expect(page.Locator("#forgot-done")).ToBeVisibleAsync();

        var reset = Assert.Single(await Mailbox.WaitForAsync(form["email"]!, TimeSpan.FromSeconds(15), template: "password-reset"));
        Assert.Equal("Reset your SalesMind password", reset.Subject);
        var link = System.Text.RegularExpressions.Regex.Match(reset.TextBody ?? "", @"https?://\S+/reset_password\.html\?token=[A-Za-z0-9_-]+").Value;
        await page.GotoAsync(link);
        await page.FillAsync("#password", "Copper-Harbor-6183");
        await page.FillAsync("#password-confirm", "Copper-Harbor-6183");
        await page.ClickAsync("#reset-submit");
        await Assertions.Expect(page.Locator("#reset-done")).ToBeVisibleAsync();

        await page.GotoAsync($"{Stack.FrontDoor}/login.html?lang=en");
        await page.FillAsync("#identifier", form["username"]!);
        await page.FillAsync("#password", "Copper-Harbor-6183");
        await page.ClickAsync("#login-submit");
        await page.WaitForURLAsync("**/account.html", new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task The_owner_of_a_contested_address_chooses_username_and_password_from_the_emailed_link()
    {
        // Someone else signed up with this address first; then its owner did.
        var owner = FrontDoor.NewSignup();
        var attacker = FrontDoor.NewSignup();
        attacker["email"] = owner["email"];
        attacker["password"] = "Attacker-Chosen-8821";
        await FrontDoor.RegisterAsync(attacker);
        var first = FrontDoor.VerificationLink(Assert.Single(await Mailbox.WaitForAsync(owner["email"]!, TimeSpan.FromSeconds(15))));
        await FrontDoor.RegisterAsync(owner);
        var mails = await Mailbox.WaitForAsync(owner["email"]!, TimeSpan.FromSeconds(15), count: 2);
        var newest = mails.Select(FrontDoor.VerificationLink).Single(link => link != first);
        var page = await NewPageAsync(width: 360);

        await page.GotoAsync(newest);
        await page.WaitForURLAsync("**/reset_password.html?token=*&signup=1*", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#username")).ToBeVisibleAsync();
        await page.FillAsync("#username", owner["email"]!);
        await page.FillAsync("#password", "Copper-Harbor-6183");
        await page.FillAsync("#password-confirm", "Copper-Harbor-6183");
        await page.ClickAsync("#reset-submit");
        await Assertions.Expect(page.Locator("#username-error")).Not.ToBeEmptyAsync();
        await page.FillAsync("#username", owner["username"]!);
        await page.ClickAsync("#reset-submit");
        await Assertions.Expect(page.Locator("#reset-done")).ToBeVisibleAsync();

        await page.GotoAsync($"{Stack.FrontDoor}/login.html?lang=en");
        await page.FillAsync("#identifier", owner["email"]!);
        await page.FillAsync("#password", "Copper-Harbor-6183");
        await page.ClickAsync("#login-submit");
        await page.WaitForURLAsync("**/account.html", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#account-username")).ToHaveTextAsync(owner["username"]!);
        foreach (var identifier in new[] { attacker["username"]!, owner["email"]! })
        {
            var attempt = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login/")
            {
                Content = System.Net.Http.Json.JsonContent.Create(new { username_or_email = identifier, password = attacker["password"] }),
            };
            attempt.Headers.Add("X-CSRF", "1");
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await FrontDoor.Client.SendAsync(attempt)).StatusCode);
        }
    }

    [Fact]
    public async Task An_unverified_person_is_told_to_verify_asks_for_a_new_link_and_only_the_new_one_works()
    {
        var form = FrontDoor.NewSignup();
        await FrontDoor.RegisterAsync(form);
        var first = FrontDoor.VerificationLink(Assert.Single(await Mailbox.WaitForAsync(form["email"]!, TimeSpan.FromSeconds(15))));
        // A new link is mailed only a cooldown after the last one: move the first one's time back
        // rather than wait for it.
        await using (var identity = new Npgsql.NpgsqlConnection(Stack.IdentityDatabase))
        {
            await identity.OpenAsync();
            await using var age = new Npgsql.NpgsqlCommand(
                "UPDATE email_verification_tokens SET created_at = created_at - interval '5 minutes' "
                + "WHERE user_id = (SELECT id FROM users WHERE normalized_email = $1)", identity);
            age.Parameters.Add(new Npgsql.NpgsqlParameter { Value = form["email"]!.ToLowerInvariant() });
            Assert.Equal(1, await age.ExecuteNonQueryAsync());
        }

        var page = await NewPageAsync();
        await page.GotoAsync($"{Stack.FrontDoor}/login.html?lang=en");
        await page.FillAsync("#identifier", form["username"]!);
        await page.FillAsync("#password", form["password"]!);
        await page.ClickAsync("#login-submit");

        var resend = page.Locator("#resend-verification");
        await Assertions.Expect(resend).ToBeVisibleAsync();
        await resend.ClickAsync();
        await Assertions.Expect(page.Locator("#resend-verification-status")).Not.ToBeEmptyAsync();

        var mails = await Mailbox.WaitForAsync(form["email"]!, TimeSpan.FromSeconds(20), count: 2);
        Assert.Equal(2, mails.Count);
        var second = Assert.Single(mails.Select(FrontDoor.VerificationLink), link => link != first);

        // The first link was revoked by the resend; the new one activates the account.
        await page.GotoAsync(first);
        Assert.EndsWith("/email_verification_error.html", new Uri(page.Url).AbsolutePath);
        await page.GotoAsync(second);
        Assert.EndsWith("/email_verified.html", new Uri(page.Url).AbsolutePath);

        await page.GotoAsync($"{Stack.FrontDoor}/login.html?lang=en");
        await page.FillAsync("#identifier", form["username"]!);
        await page.FillAsync("#password", form["password"]!);
        await page.ClickAsync("#login-submit");
        await page.WaitForURLAsync("**/account.html", new() { Timeout = 30_000 });
    }

    [Theory]
    [InlineData("expired", "has expired")]
    [InlineData("used", "already been used")]
    [InlineData("invalid", "not valid")]
    [InlineData("deactivated", "deactivated")]
    [InlineData("something-else", "not valid")]
    public async Task Each_verification_error_has_its_own_message_and_a_way_on(string reason, string message)
    {
        var page = await NewPageAsync();

        await page.GotoAsync($"{Stack.FrontDoor}/email_verification_error.html?reason={reason}&lang=en");

        var text = await page.InnerTextAsync("main");
        Assert.Contains(message, text, StringComparison.Ordinal);
        Assert.True(await page.Locator("a[href$='login.html']").CountAsync() > 0);
    }
}
