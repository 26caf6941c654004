using System.Net;
using System.Net.Http.Headers;
using SalesMind.Identity.Web;
using static SalesMind.Identity.Tests.AccountRequests;

namespace SalesMind.Identity.Tests;

/// <summary>
/// A signed-in owner changes the password: the current one is needed and its failures are
/// counted like failed logins; other sessions and admin tokens end; the owner is emailed.
/// </summary>
[Collection(IdentityCollection.Name)]
public sealed class PasswordChangeTests(IdentityApp app)
{
    private const string Url = "/api/account/password/";
    private const string NewPassword = "Amber-Orchard-5921";

    private static Task<HttpResponseMessage> ChangeAsync(HttpClient client, string current, string next, bool csrf = true, string language = "en") =>
        SendAsync(client, HttpMethod.Post, Url, new { current_password = current, new_password = next }, csrf, language);

    [Fact]
    public async Task A_change_keeps_this_session_ends_the_others_kills_admin_tokens_and_mails_a_notice_without_secrets()
    {
        var (form, id, token) = await app.AccountWithTokenAsync(admin: true);
        var here = await SignedInAsync(app, form, Chrome);
        var elsewhere = await SignedInAsync(app, form, Firefox);
        using (var before = new HttpRequestMessage(HttpMethod.Get, "/api/admin/users/?limit=1"))
        {
            before.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            Assert.Equal(HttpStatusCode.OK, (await app.Client().SendAsync(before)).StatusCode);
        }

        var answer = await ChangeAsync(here, form["password"]!, NewPassword);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(1, (await answer.JsonAsync()).GetProperty("other_sessions_ended").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await here.GetAsync("/api/auth/me/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await elsewhere.GetAsync("/api/auth/me/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityApp.LoginAsync(app.Client(), form["username"]!, form["password"]!)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(app.Client(), form["username"]!, NewPassword)).StatusCode);
        // The admin token made before the change is refused (the instance may remember the account for up to two seconds).
        await SalesMind.TestSupport.Eventually.HoldsAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/admin/users/?limit=1");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return (await app.Client().SendAsync(request)).StatusCode == HttpStatusCode.Unauthorized;
        }, TimeSpan.FromSeconds(10), "the old admin token is refused");
        Assert.Equal(1, await app.Database.ScalarAsync<int>("SELECT token_version FROM users WHERE id = $1", id));

        var notice = Assert.Single(await app.EventsAsync("PasswordChanged", form["email"]!));
        Assert.Equal(form["username"], notice.GetProperty("username").GetString());
        Assert.Equal("Chrome on Windows", notice.GetProperty("device").GetString());
        Assert.Equal(IdentityApp.PublicBaseUrl + "/forgot_password.html", notice.GetProperty("forgotPasswordUrl").GetString());
        var text = notice.ToString();
        Assert.DoesNotContain(NewPassword, text, StringComparison.Ordinal);
        Assert.DoesNotContain(form["password"]!, text, StringComparison.Ordinal);
        Assert.DoesNotContain("token", text, StringComparison.OrdinalIgnoreCase);

        var audit = Assert.Single(await AuditAsync(app, id, "password.changed"));
        Assert.Equal(id, audit.Actor);
        Assert.DoesNotContain(NewPassword, audit.After ?? "", StringComparison.Ordinal);
        Assert.Contains("\"other_sessions_ended\": 1", audit.After!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stolen_copy_of_this_very_sessions_cookie_dies_with_the_change_while_this_browser_stays_signed_in()
    {
        var form = await app.VerifiedUserAsync();
        var client = app.Client();
        var login = await IdentityApp.LoginAsync(client, form["username"]!, form["password"]!);
        var stolen = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("sm_session=", StringComparison.Ordinal)).Split(';')[0];
        var thief = app.Client();
        thief.DefaultRequestHeaders.Add("Cookie", stolen);
        Assert.Equal(HttpStatusCode.OK, (await thief.GetAsync("/api/auth/me/")).StatusCode);

        var answer = await ChangeAsync(client, form["password"]!, NewPassword);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var renewed = answer.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("sm_session=", StringComparison.Ordinal));
        Assert.NotEqual(stolen, renewed.Split(';')[0]);
        Assert.Contains("httponly", renewed, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.Unauthorized, (await thief.GetAsync("/api/auth/me/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/me/")).StatusCode);
        var sessions = (await (await client.GetAsync("/api/account/sessions/")).JsonAsync()).GetProperty("sessions");
        Assert.True(Assert.Single(sessions.EnumerateArray()).GetProperty("current").GetBoolean());
    }

    [Fact]
    public async Task A_browser_trusted_before_the_change_gets_no_guesses_of_its_own_after_it()
    {
        var form = await app.VerifiedUserAsync();
        // Whoever held the old password logged in with it, and his browser became a known device.
        var bare = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        var stale = InstrumentedIdentityApp.DeviceCookieOf(await InstrumentedIdentityApp.LoginAsync(bare, form["username"]!, form["password"]!, null));
        Assert.NotNull(stale);
        var owner = await SignedInAsync(app, form);

        var answer = await ChangeAsync(owner, form["password"]!, NewPassword);
        for (var i = 0; i < 5; i++)
        {
            await IdentityApp.LoginAsync(app.Client(), form["username"]!, $"Wrong-{i}-Password");
        }

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        // The owner's browser is the one remembered now ...
        Assert.NotNull(InstrumentedIdentityApp.DeviceCookieOf(answer));
        // ... and the old cookie counts under the account's lock like any stranger's browser.
        Assert.Equal(HttpStatusCode.TooManyRequests,
            (await InstrumentedIdentityApp.LoginAsync(bare, form["username"]!, NewPassword, stale)).StatusCode);
    }

    [Fact]
    public async Task A_wrong_current_password_is_refused_and_counted_and_repeated_ones_lock_like_failed_logins()
    {
        var form = await app.VerifiedUserAsync();
        var client = await SignedInAsync(app, form);

        var first = await ChangeAsync(client, "Not-The-Password-1", NewPassword, language: "ja");
        for (var i = 2; i <= 5; i++)
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await ChangeAsync(client, $"Not-The-Password-{i}", NewPassword)).StatusCode);
        }

        var locked = await ChangeAsync(client, form["password"]!, NewPassword);

        Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);
        Assert.Equal(["現在のパスワードが正しくありません。"], await first.FieldErrorsAsync("current_password"));
        // The sixth try is refused even with the right password: guessing stops at five.
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.InRange(int.Parse(locked.Headers.GetValues("Retry-After").Single()), 60, 900);
        // One budget with the login form: a stolen session cannot add five more guesses there.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await IdentityApp.LoginAsync(app.Client(), form["username"]!, form["password"]!)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/me/")).StatusCode);
        Assert.Empty(await app.EventsAsync("PasswordChanged", form["email"]!));
    }

    [Fact]
    public async Task Concurrent_wrong_guesses_from_a_stolen_session_never_evaluate_more_than_the_limit()
    {
        var form = await app.VerifiedUserAsync();
        var client = await SignedInAsync(app, form);

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => ChangeAsync(client, $"Guess-Number-{i}-x", NewPassword)));

        Assert.Equal(5, answers.Count(a => a.StatusCode == HttpStatusCode.BadRequest));
        Assert.Equal(7, answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests));
    }

    public static TheoryData<string, string, string> WeakPasswords() => new()
    {
        { "ja", "short1", "password.short" },
        { "en", "short1", "password.short" },
        { "ja", "12345678901", "password.numeric" },
        { "en", "password123", "password.common" },
        { "ja", "password123", "password.common" },
        { "en", "{username}", "password.similar" },
        { "en", "{email}", "password.similar_email" },
        { "ja", "{local}x9", "password.similar_email" },
        { "en", "", "password.required" },
    };

    [Theory]
    [MemberData(nameof(WeakPasswords))]
    public async Task A_new_password_follows_the_sign_up_rules_and_may_not_resemble_the_address(string language, string candidate, string key)
    {
        // An address unlike the username, so only the address rule can catch the candidate.
        var form = IdentityApp.NewSignup();
        form["email"] = $"inbox.{Guid.NewGuid():N}"[..16] + "@mail.test";
        await app.RegisterAsync(form);
        var link = (await app.EventsAsync("UserRegistered", form["email"]!))[0].GetProperty("verificationUrl").GetString()!;
        await app.Client().GetAsync(link[IdentityApp.PublicBaseUrl.Length..]);
        var client = await SignedInAsync(app, form);
        var email = form["email"]!;
        candidate = candidate.Replace("{username}", form["username"]).Replace("{email}", email).Replace("{local}", email[..email.IndexOf('@')]);

        var answer = await ChangeAsync(client, form["password"]!, candidate, language: language);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal([Messages.Get(key, language)], await answer.FieldErrorsAsync("new_password"));
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(app.Client(), form["username"]!, form["password"]!)).StatusCode);
    }

    [Fact]
    public async Task Without_a_session_401_without_the_csrf_header_403_and_unknown_fields_are_refused()
    {
        var form = await app.VerifiedUserAsync();
        var client = await SignedInAsync(app, form);

        Assert.Equal(HttpStatusCode.Unauthorized, (await ChangeAsync(app.Client(), form["password"]!, NewPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await ChangeAsync(client, form["password"]!, NewPassword, csrf: false)).StatusCode);
        var extra = await SendAsync(client, HttpMethod.Post, Url, new { current_password = form["password"], new_password = NewPassword, username = "someone_else" });
        Assert.Equal(HttpStatusCode.BadRequest, extra.StatusCode);
        Assert.Equal([Messages.Get("field.unknown", "en")], await extra.FieldErrorsAsync("username"));
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(app.Client(), form["username"]!, form["password"]!)).StatusCode);
    }

    [Fact]
    public async Task Two_sessions_changing_the_password_at_once_do_not_both_win()
    {
        var form = await app.VerifiedUserAsync();
        var a = await SignedInAsync(app, form, Chrome);
        var b = await SignedInAsync(app, form, Firefox);

        var answers = await Task.WhenAll(ChangeAsync(a, form["password"]!, "Copper-Valley-8812"), ChangeAsync(b, form["password"]!, "Silver-Canyon-3307"));

        // One wins; the other finds its session ended or the password already changed.
        Assert.Single(answers, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Single(answers, r => r.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.BadRequest);
        var winner = answers[0].StatusCode == HttpStatusCode.OK ? a : b;
        var loser = winner == a ? b : a;
        Assert.Equal(HttpStatusCode.OK, (await winner.GetAsync("/api/auth/me/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await loser.GetAsync("/api/auth/me/")).StatusCode);
        Assert.Single(await app.EventsAsync("PasswordChanged", form["email"]!));
    }
}
