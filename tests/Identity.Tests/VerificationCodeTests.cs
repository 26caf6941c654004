using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;

namespace SalesMind.Identity.Tests;

/// <summary>Identity with no cooldown between emails (a test asks for several) and no per-client limit on codes.</summary>
public sealed class CodeApp : IdentityApp
{
    protected override void ConfigureMore(IWebHostBuilder builder)
    {
        builder.UseSetting("Identity:ResendCooldown", "00:00:00");
        builder.UseSetting("RateLimits:VerifyCodePerMinute", "1000000");
    }
}

/// <summary>
/// The 6-digit code of the verification email, typed on a page: it does what the link of the same
/// email does, dies with it, survives only a few wrong tries, and answers a stranger exactly as it
/// answers a wrong code.
/// </summary>
public sealed partial class VerificationCodeTests(CodeApp app) : IClassFixture<CodeApp>
{
    private const string Path = "/api/auth/verify-email/code/";
    private const int MaxCodeAttempts = 5;

    private async Task<(string Email, string Code, string LinkPath)> SignUpAsync()
    {
        var form = IdentityApp.NewSignup();
        Assert.Equal(HttpStatusCode.Accepted, (await app.RegisterAsync(form)).StatusCode);
        return await NewestEmailAsync(form["email"]!);
    }

    private async Task<(string Email, string Code, string LinkPath)> NewestEmailAsync(string email)
    {
        var events = (await app.EventsAsync("UserRegistered", email)).Concat(await app.EventsAsync("VerificationReminderDue", email)).ToList();
        var newest = events.OrderBy(e => e.GetProperty("expiresAt").GetDateTimeOffset()).Last();
        var url = newest.GetProperty("verificationUrl").GetString()!;
        return (email, newest.GetProperty("verificationCode").GetString()!, url[IdentityApp.PublicBaseUrl.Length..]);
    }

    private Task<HttpResponseMessage> TypeAsync(string email, string code, bool csrf = true, HttpClient? client = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = JsonContent.Create(new { email, code, locale = "en" }) };
        if (csrf)
        {
            request.Headers.Add("X-CSRF", "1");
        }

        return (client ?? app.Client()).SendAsync(request);
    }

    private Task ResendAsync(string email) =>
        app.Client().PostAsJsonAsync("/api/auth/resend-verification/", new { email, locale = "en" });

    private Task<bool> IsActiveAsync(string email) => app.Database.ScalarAsync<bool>("SELECT is_active FROM users WHERE email = $1", email);

    private static string WrongOf(string code) => ((int.Parse(code) + 1) % 1_000_000).ToString("D6");

    private static async Task<string> ReasonAsync(HttpResponseMessage answer)
    {
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        return JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("reason").GetString()!;
    }

    [Fact]
    public async Task The_right_code_verifies_the_address_once_and_leads_where_the_link_leads()
    {
        var (email, code, _) = await SignUpAsync();

        var answer = await TypeAsync(email, code);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("verified", body.GetProperty("status").GetString());
        Assert.Equal("/email_verified.html", body.GetProperty("next").GetString());
        Assert.True(await IsActiveAsync(email));
        Assert.Single(await app.EventsAsync("UserEmailVerified", email));
        // Used: typed again it is refused like any wrong code.
        Assert.Equal("wrong", await ReasonAsync(await TypeAsync(email, code)));
    }

    [Fact]
    public async Task Every_verification_email_carries_a_code_and_only_its_hash_is_stored()
    {
        var (email, code, _) = await SignUpAsync();

        Assert.Matches("^[0-9]{6}$", code);
        var stored = (await app.Database.ScalarAsync<byte[]>(
            "SELECT t.code_hash FROM email_verification_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = $1", email))!;
        var rowId = await app.Database.ScalarAsync<Guid>(
            "SELECT t.id FROM email_verification_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = $1", email);
        Assert.Equal(32, stored.Length);
        Assert.DoesNotContain(code, Convert.ToHexString(stored) + Convert.ToBase64String(stored));
        // Keyed with the server's secret, not with the row's id beside it: the table alone gives no code.
        Assert.NotEqual(System.Security.Cryptography.HMACSHA256.HashData(rowId.ToByteArray(), System.Text.Encoding.ASCII.GetBytes(code)), stored);
    }

    [Fact]
    public async Task Full_width_digits_spaces_and_a_different_case_of_the_address_are_accepted()
    {
        var (email, code, _) = await SignUpAsync();
        var fullWidth = string.Concat(code.Select(c => (char)('０' + (c - '0'))));

        var answer = await TypeAsync(email.ToUpperInvariant(), fullWidth[..3] + " " + fullWidth[3..]);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.True(await IsActiveAsync(email));
    }

    [Fact]
    public async Task Five_wrong_codes_kill_the_code_even_the_right_one_is_refused_until_a_new_email()
    {
        var (email, code, _) = await SignUpAsync();

        for (var i = 1; i < MaxCodeAttempts; i++)
        {
            Assert.Equal("wrong", await ReasonAsync(await TypeAsync(email, WrongOf(code))));
        }

        Assert.Equal("resend", await ReasonAsync(await TypeAsync(email, WrongOf(code))));
        Assert.Equal("resend", await ReasonAsync(await TypeAsync(email, code)));
        Assert.False(await IsActiveAsync(email));

        await ResendAsync(email);
        var (_, fresh, _) = await NewestEmailAsync(email);
        Assert.Equal("wrong", await ReasonAsync(await TypeAsync(email, code == fresh ? WrongOf(fresh) : code)));
        Assert.Equal(HttpStatusCode.OK, (await TypeAsync(email, fresh)).StatusCode);
        Assert.True(await IsActiveAsync(email));
    }

    [Fact]
    public async Task The_code_dies_at_its_own_limit_even_when_the_addresss_count_was_forgotten()
    {
        var (email, code, _) = await SignUpAsync();
        await app.Database.ExecuteAsync(
            "UPDATE email_verification_tokens t SET code_attempts = $2 FROM users u WHERE u.id = t.user_id AND u.email = $1", email, MaxCodeAttempts);

        Assert.Equal("wrong", await ReasonAsync(await TypeAsync(email, code)));
        Assert.False(await IsActiveAsync(email));
    }

    [Fact]
    public async Task A_new_email_revokes_the_old_code()
    {
        var (email, oldCode, _) = await SignUpAsync();
        await ResendAsync(email);
        var (_, newCode, _) = await NewestEmailAsync(email);
        if (oldCode != newCode)
        {
            // (A one-in-a-million tie would prove nothing either way.)
            Assert.Equal("wrong", await ReasonAsync(await TypeAsync(email, oldCode)));
        }

        Assert.Equal(HttpStatusCode.OK, (await TypeAsync(email, newCode)).StatusCode);
    }

    [Fact]
    public async Task The_code_dies_when_its_link_is_used()
    {
        var (email, code, link) = await SignUpAsync();
        Assert.Equal("/email_verified.html", (await app.Client().GetAsync(link)).Headers.Location!.OriginalString);

        Assert.Equal("wrong", await ReasonAsync(await TypeAsync(email, code)));
        Assert.Single(await app.EventsAsync("UserEmailVerified", email));
    }

    [Fact]
    public async Task The_link_is_used_up_when_its_code_is_used()
    {
        var (email, code, link) = await SignUpAsync();
        Assert.Equal(HttpStatusCode.OK, (await TypeAsync(email, code)).StatusCode);

        // The link of a used row on an active account still says success (a mail scanner may
        // have opened it), but it changes nothing: it is used, and nothing is published twice.
        Assert.Equal("/email_verified.html", (await app.Client().GetAsync(link)).Headers.Location!.OriginalString);
        Assert.NotEqual(default, await app.Database.ScalarAsync<DateTime>(
            "SELECT t.used_at FROM email_verification_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = $1", email));
        Assert.Single(await app.EventsAsync("UserEmailVerified", email));
    }

    [Fact]
    public async Task An_expired_code_is_refused_and_activates_nothing()
    {
        var (email, code, _) = await SignUpAsync();
        await app.Database.ExecuteAsync(
            "UPDATE email_verification_tokens t SET expires_at = now() - interval '1 minute' FROM users u WHERE u.id = t.user_id AND u.email = $1", email);

        Assert.Equal("wrong", await ReasonAsync(await TypeAsync(email, code)));
        Assert.False(await IsActiveAsync(email));
    }

    [Fact]
    public async Task Simultaneous_right_codes_verify_once()
    {
        var (email, code, _) = await SignUpAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => TypeAsync(email, code)));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.OK);
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.OK), a => Assert.Equal(HttpStatusCode.BadRequest, a.StatusCode));
        Assert.Single(await app.EventsAsync("UserEmailVerified", email));
    }

    [Fact]
    public async Task Simultaneous_wrong_codes_are_each_counted()
    {
        var (email, code, _) = await SignUpAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => TypeAsync(email, WrongOf(code))));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.BadRequest, a.StatusCode));
        Assert.Equal(MaxCodeAttempts, await app.Database.ScalarAsync<int>(
            "SELECT t.code_attempts FROM email_verification_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = $1", email));
        Assert.Equal("resend", await ReasonAsync(await TypeAsync(email, code)));
    }

    [Fact]
    public async Task A_contested_sign_up_goes_to_choosing_credentials_as_its_link_does()
    {
        var (email, code, _) = await SignUpAsync();
        await app.Database.ExecuteAsync("UPDATE users SET contested_at = now() WHERE email = $1", email);

        var answer = await TypeAsync(email, code);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("choose_credentials", body.GetProperty("status").GetString());
        Assert.StartsWith("/reset_password.html?token=", body.GetProperty("next").GetString());
        Assert.EndsWith("&signup=1", body.GetProperty("next").GetString());
        // No typed password became active: the owner chooses one on that page.
        Assert.False(await IsActiveAsync(email));
        Assert.Empty(await app.EventsAsync("UserEmailVerified", email));
    }

    [Fact]
    public async Task Unknown_verified_and_deactivated_addresses_answer_exactly_as_a_wrong_code()
    {
        var (pending, code, _) = await SignUpAsync();
        var verified = (await app.VerifiedUserAsync())["email"]!;
        var (deactivated, deactivatedCode, _) = await SignUpAsync();
        await app.Database.ExecuteAsync("UPDATE users SET deactivated_at = now() WHERE email = $1", deactivated);
        var unknown = SalesMind.TestSupport.Stack.NewMailbox("nobody");

        var wrong = await TypeAsync(pending, WrongOf(code));
        var others = new[]
        {
            await TypeAsync(verified, "123456"),
            await TypeAsync(deactivated, deactivatedCode),
            await TypeAsync(unknown, "123456"),
        };

        foreach (var other in others)
        {
            await AssertSameAnswerAsync(wrong, other);
        }

        Assert.False(await IsActiveAsync(deactivated));

        // And after five tries each, the same "ask for a new email" for all of them.
        for (var i = 1; i < MaxCodeAttempts; i++)
        {
            await TypeAsync(pending, WrongOf(code));
            await TypeAsync(unknown, "123456");
        }

        await AssertSameAnswerAsync(await TypeAsync(pending, WrongOf(code)), await TypeAsync(unknown, "123456"));
    }

    [Fact]
    public async Task The_answer_takes_the_same_uniform_time_whether_or_not_the_address_has_an_account()
    {
        var (pending, code, _) = await SignUpAsync();
        var unknown = SalesMind.TestSupport.Stack.NewMailbox("nobody");

        foreach (var email in new[] { pending, unknown })
        {
            var started = Stopwatch.GetTimestamp();
            var answer = await TypeAsync(email, WrongOf(code));
            var took = Stopwatch.GetElapsedTime(started);

            Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
            Assert.True(took >= TimeSpan.FromMilliseconds(140), $"{email} answered after {took.TotalMilliseconds:F0} ms");
        }
    }

    [Theory]
    [InlineData("12345")]
    [InlineData("1234567")]
    [InlineData("12a456")]
    [InlineData("")]
    public async Task A_code_that_cannot_be_one_is_a_field_error_and_not_counted(string typed)
    {
        var (email, code, _) = await SignUpAsync();

        var answer = await TypeAsync(email, typed);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        var body = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement;
        Assert.True(body.GetProperty("errors").TryGetProperty("code", out _));
        Assert.False(body.TryGetProperty("reason", out _));
        Assert.Equal(HttpStatusCode.OK, (await TypeAsync(email, code)).StatusCode);
    }

    [Fact]
    public async Task Without_the_CSRF_header_nothing_is_checked()
    {
        var (email, code, _) = await SignUpAsync();

        Assert.Equal(HttpStatusCode.Forbidden, (await TypeAsync(email, code, csrf: false)).StatusCode);
        Assert.False(await IsActiveAsync(email));
    }

    private static async Task AssertSameAnswerAsync(HttpResponseMessage a, HttpResponseMessage b)
    {
        Assert.Equal(HttpStatusCode.BadRequest, a.StatusCode);
        Assert.Equal(a.StatusCode, b.StatusCode);
        Assert.Equal(Headers(a), Headers(b));
        Assert.Equal(TraceId().Replace(await a.Content.ReadAsStringAsync(), ""), TraceId().Replace(await b.Content.ReadAsStringAsync(), ""));
    }

    private static List<string> Headers(HttpResponseMessage response) =>
        [.. response.Headers.Concat(response.Content.Headers).Where(h => h.Key != "Date")
            .Select(h => $"{h.Key}: {string.Join(",", h.Value)}").Order(StringComparer.Ordinal)];

    [GeneratedRegex("\"traceId\":\"[^\"]*\"")]
    private static partial Regex TraceId();
}

/// <summary>Identity with a per-client limit of three codes a minute.</summary>
public sealed class CodeThrottleApp : IdentityApp
{
    protected override void ConfigureMore(IWebHostBuilder builder) => builder.UseSetting("RateLimits:VerifyCodePerMinute", "3");
}

/// <summary>One client typing codes for many addresses (spreading its guesses) is slowed down by its own limit.</summary>
public sealed class VerificationCodeThrottleTests(CodeThrottleApp app) : IClassFixture<CodeThrottleApp>
{
    [Fact]
    public async Task A_client_past_its_limit_gets_429_with_Retry_After_and_its_codes_are_not_checked()
    {
        var form = IdentityApp.NewSignup();
        await app.RegisterAsync(form);
        var code = (await app.EventsAsync("UserRegistered", form["email"]!))[0].GetProperty("verificationCode").GetString()!;

        Task<HttpResponseMessage> TypeAsync(string email, string typed)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/verify-email/code/")
            {
                Content = JsonContent.Create(new { email, code = typed, locale = "en" }),
            };
            request.Headers.Add("X-CSRF", "1");
            return app.Client().SendAsync(request);
        }

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await TypeAsync(SalesMind.TestSupport.Stack.NewMailbox("guess"), "000000")).StatusCode);
        }

        var refused = await TypeAsync(form["email"]!, code);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(int.Parse(refused.Headers.RetryAfter!.ToString()), 1, 60);
        Assert.False(await app.Database.ScalarAsync<bool>("SELECT is_active FROM users WHERE email = $1", form["email"]!));
    }
}

/// <summary>Identity with the shipped resend cooldown (60 s) and hourly cap (5), and no per-client limit on codes.</summary>
public sealed class CodeCooldownApp : IdentityApp
{
    protected override void ConfigureMore(IWebHostBuilder builder) => builder.UseSetting("RateLimits:VerifyCodePerMinute", "1000000");
}

/// <summary>
/// After five wrong codes the page says "ask for a new email": that resend must bring one at once
/// (not a silent 202 inside the cooldown that leaves only a dead code), yet never more than the
/// hourly cap, however often the code is spent.
/// </summary>
public sealed class VerificationCodeResendTests(CodeCooldownApp app) : IClassFixture<CodeCooldownApp>
{
    private const int MaxCodeAttempts = 5;
    private const int MaxResendsPerHour = 5;

    private async Task<List<string>> CodesAsync(string email) =>
        [.. (await app.EventsAsync("UserRegistered", email))
            .OrderBy(e => e.GetProperty("expiresAt").GetDateTimeOffset())
            .Select(e => e.GetProperty("verificationCode").GetString()!)];

    private Task<HttpResponseMessage> TypeAsync(string email, string code)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/verify-email/code/") { Content = JsonContent.Create(new { email, code, locale = "en" }) };
        request.Headers.Add("X-CSRF", "1");
        return app.Client().SendAsync(request);
    }

    private async Task ResendAsync(string email) =>
        Assert.Equal(HttpStatusCode.Accepted, (await app.Client().PostAsJsonAsync("/api/auth/resend-verification/", new { email, locale = "en" })).StatusCode);

    private async Task<string> ReasonAsync(HttpResponseMessage answer)
    {
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        return JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("reason").GetString()!;
    }

    private static string WrongOf(string code) => ((int.Parse(code) + 1) % 1_000_000).ToString("D6");

    private async Task SpendAsync(string email, string code)
    {
        for (var i = 1; i < MaxCodeAttempts; i++)
        {
            Assert.Equal("wrong", await ReasonAsync(await TypeAsync(email, WrongOf(code))));
        }

        Assert.Equal("resend", await ReasonAsync(await TypeAsync(email, WrongOf(code))));
    }

    private async Task<string> SignUpAsync()
    {
        var form = IdentityApp.NewSignup();
        Assert.Equal(HttpStatusCode.Accepted, (await app.RegisterAsync(form)).StatusCode);
        return form["email"]!;
    }

    [Fact]
    public async Task Five_wrong_codes_then_a_resend_at_once_bring_a_new_email_whose_code_verifies()
    {
        var email = await SignUpAsync();
        var first = Assert.Single(await CodesAsync(email));
        await SpendAsync(email, first);

        // Seconds after the sign-up's email, well inside the cooldown.
        await ResendAsync(email);

        var codes = await CodesAsync(email);
        Assert.Equal(2, codes.Count);
        Assert.Equal(HttpStatusCode.OK, (await TypeAsync(email, codes[1])).StatusCode);
        Assert.True(await app.Database.ScalarAsync<bool>("SELECT is_active FROM users WHERE email = $1", email));
    }

    [Fact]
    public async Task The_cooldown_still_holds_for_a_live_code_and_spent_codes_never_pass_the_hourly_cap()
    {
        var email = await SignUpAsync();

        // A code that can still work: a resend inside the cooldown sends nothing.
        await ResendAsync(email);
        Assert.Single(await CodesAsync(email));

        // Spending every code at once: each resend brings one new email, up to the cap an hour.
        for (var round = 0; round < MaxResendsPerHour + 2; round++)
        {
            var codes = await CodesAsync(email);
            await SpendAsync(email, codes[^1]);
            await ResendAsync(email);
        }

        var all = await CodesAsync(email);
        Assert.Equal(MaxResendsPerHour, all.Count);
        Assert.False(await app.Database.ScalarAsync<bool>("SELECT is_active FROM users WHERE email = $1", email));
    }
}
