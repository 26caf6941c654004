using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Cli;
using SalesMind.Identity.Lifecycle;
using Microsoft.Extensions.DependencyInjection;

namespace SalesMind.Identity.Tests;

/// <summary>What an outsider does with accounts, links and identifiers, tried over HTTP as they would.</summary>
public abstract class AccountAttacks(IdentityApp app)
{
    protected IdentityApp App { get; } = app;

    protected const string AttackerPassword = "Attacker-Chosen-8821";
    protected const string OwnerFinalPassword = "Owner-Chosen-5531";

    /// <summary>The path of the newest verification link mailed to <paramref name="email"/>.</summary>
    protected async Task<string> NewestLinkAsync(string email) => PathOf((await LinksAsync(email))[^1]);

    protected async Task<List<string>> LinksAsync(string email) =>
        (await App.EventsAsync("UserRegistered", email)).Select(e => e.GetProperty("verificationUrl").GetString()!).ToList();

    protected static string PathOf(string url) => url[IdentityApp.PublicBaseUrl.Length..];

    /// <summary>Opens a link as a browser would and returns where it sends the browser.</summary>
    protected async Task<string> OpenAsync(string path)
    {
        var response = await App.Client().GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.Location!.OriginalString;
    }

    /// <summary>The set-password token a contested sign-up's link hands over (fails if the link went anywhere else).</summary>
    protected static string SetPasswordToken(string location)
    {
        Assert.StartsWith("/reset_password.html?token=", location);
        Assert.EndsWith("&signup=1", location);
        return location["/reset_password.html?token=".Length..location.IndexOf('&', StringComparison.Ordinal)];
    }

    protected Task<HttpResponseMessage> ChooseAsync(string token, string? username, string password) =>
        App.Client().PostAsJsonAsync("/api/auth/password-reset/confirm/", new { token, username, password, locale = "en" });

    protected async Task<HttpStatusCode> LoginAsync(string identifier, string password) =>
        (await IdentityApp.LoginAsync(App.Client(), identifier, password)).StatusCode;

    protected static async Task<string> FieldErrorAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return problem.GetProperty("errors").GetProperty(field)[0].GetString()!;
    }
}

/// <summary>Someone signing up with an address they do not own never gets credentials for it.</summary>
[Collection(IdentityCollection.Name)]
public sealed class PendingSignupTakeoverTests(IdentityApp app) : AccountAttacks(app)
{
    /// <summary>After the owner chose their credentials, nothing the attacker typed signs in.</summary>
    private async Task AssertOnlyTheOwnerSignsInAsync(Dictionary<string, string?> owner, Dictionary<string, string?> attacker)
    {
        var email = owner["email"]!;
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(email, AttackerPassword));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(attacker["username"]!, AttackerPassword));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(attacker["username"]!, OwnerFinalPassword));
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(owner["username"]!, OwnerFinalPassword));
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(email, OwnerFinalPassword));
        Assert.Single(await App.EventsAsync("UserEmailVerified", email));
    }

    private (Dictionary<string, string?> Owner, Dictionary<string, string?> Attacker) Parties()
    {
        var owner = IdentityApp.NewSignup();
        var attacker = IdentityApp.NewSignup();
        attacker["email"] = owner["email"];
        attacker["password"] = AttackerPassword;
        return (owner, attacker);
    }

    [Fact]
    public async Task Owner_signs_up_then_an_attacker_with_the_same_address_then_the_owner_opens_the_newest_link()
    {
        var (owner, attacker) = Parties();
        var ownerResponse = await App.RegisterAsync(owner);
        var attackerResponse = await App.RegisterAsync(attacker);

        // Everyone is told the same thing: nothing says the address was taken.
        Assert.Equal(HttpStatusCode.Accepted, attackerResponse.StatusCode);
        Assert.Equal(await ownerResponse.Content.ReadAsStringAsync(), await attackerResponse.Content.ReadAsStringAsync());

        // The newest link in the owner's mailbox no longer activates any typed password: it asks for one.
        var token = SetPasswordToken(await OpenAsync(await NewestLinkAsync(owner["email"]!)));
        Assert.NotEqual(HttpStatusCode.OK, await LoginAsync(attacker["username"]!, AttackerPassword));
        Assert.NotEqual(HttpStatusCode.OK, await LoginAsync(owner["email"]!, AttackerPassword));
        Assert.NotEqual(HttpStatusCode.OK, await LoginAsync(owner["email"]!, owner["password"]!));

        Assert.Equal(HttpStatusCode.NoContent, (await ChooseAsync(token, owner["username"], OwnerFinalPassword)).StatusCode);

        await AssertOnlyTheOwnerSignsInAsync(owner, attacker);
    }

    [Fact]
    public async Task An_attacker_pre_registers_the_address_then_the_owner_signs_up_and_opens_whichever_link()
    {
        var (owner, attacker) = Parties();
        Assert.Equal(HttpStatusCode.Accepted, (await App.RegisterAsync(attacker)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await App.RegisterAsync(owner)).StatusCode);
        var links = await LinksAsync(owner["email"]!);
        Assert.Equal(2, links.Count);

        // Even the attacker's own link (mailed to the owner's mailbox, like every link) now only
        // leads the person who opens it to choose the credentials; so does the owner's.
        SetPasswordToken(await OpenAsync(PathOf(links[1])));
        Assert.NotEqual(HttpStatusCode.OK, await LoginAsync(attacker["username"]!, AttackerPassword));
        var token = SetPasswordToken(await OpenAsync(PathOf(links[0])));
        Assert.Equal(HttpStatusCode.NoContent, (await ChooseAsync(token, owner["username"], OwnerFinalPassword)).StatusCode);

        await AssertOnlyTheOwnerSignsInAsync(owner, attacker);
        // The attacker's name was released with the attacker's password.
        Assert.Equal(0, await App.Database.ScalarAsync<long>("SELECT count(*) FROM users WHERE username = $1", attacker["username"]!));
    }

    [Fact]
    public async Task Sign_ups_racing_for_one_new_address_leave_it_contested_and_no_typed_password_active()
    {
        var email = IdentityApp.NewSignup()["email"]!;
        var forms = Enumerable.Range(0, 8).Select(i =>
        {
            var form = IdentityApp.NewSignup();
            form["email"] = email;
            form["password"] = $"Racer-{i}-Password-77";
            return form;
        }).ToList();

        var responses = await Task.WhenAll(forms.Select(App.RegisterAsync));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.Equal(1, await App.Database.ScalarAsync<long>("SELECT count(*) FROM users WHERE normalized_email = lower($1)", email));
        Assert.NotEqual(default, await App.Database.ScalarAsync<DateTime>("SELECT contested_at FROM users WHERE normalized_email = lower($1)", email));

        // Whichever sign-up won the insert, its link does not activate its password.
        var links = await LinksAsync(email);
        var outcomes = new List<string>();
        foreach (var link in links)
        {
            outcomes.Add(await OpenAsync(PathOf(link)));
        }

        Assert.DoesNotContain("/email_verified.html", outcomes);
        var token = SetPasswordToken(outcomes[^1]);
        foreach (var form in forms)
        {
            Assert.NotEqual(HttpStatusCode.OK, await LoginAsync(form["username"]!, form["password"]!));
        }

        Assert.Equal(HttpStatusCode.NoContent, (await ChooseAsync(token, forms[3]["username"], OwnerFinalPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(email, OwnerFinalPassword));
        // Fewer than the lockout's limit, so each answer is about the password alone.
        foreach (var form in forms.Take(3))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(email, form["password"]!));
        }
    }

    [Fact]
    public async Task An_attacker_signing_up_while_the_owner_opens_the_link_never_gets_in_whoever_wins()
    {
        for (var i = 0; i < 5; i++)
        {
            var (owner, attacker) = Parties();
            await App.RegisterAsync(owner);
            var link = await NewestLinkAsync(owner["email"]!);

            var clicking = OpenAsync(link);
            var signingUp = App.RegisterAsync(attacker);
            await Task.WhenAll(clicking, signingUp);
            var (click, signup) = (await clicking, await signingUp);

            // Either the owner was first (verified with their own password; the attacker only caused a
            // notice) or the attacker was (the address is contested and the link asks for credentials).
            Assert.Equal(HttpStatusCode.Accepted, signup.StatusCode);
            Assert.True(click == "/email_verified.html" || click.StartsWith("/reset_password.html?token=", StringComparison.Ordinal), click);
            Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(owner["email"]!, AttackerPassword));
            Assert.NotEqual(HttpStatusCode.OK, await LoginAsync(attacker["username"]!, AttackerPassword));
        }
    }

    [Fact]
    public async Task A_mail_scanner_opening_the_link_first_does_not_use_it_up_and_only_one_choice_counts()
    {
        var (owner, attacker) = Parties();
        await App.RegisterAsync(owner);
        await App.RegisterAsync(attacker);
        var link = await NewestLinkAsync(owner["email"]!);

        var scanner = SetPasswordToken(await OpenAsync(link));
        var person = SetPasswordToken(await OpenAsync(link));

        Assert.Equal(HttpStatusCode.NoContent, (await ChooseAsync(person, owner["username"], OwnerFinalPassword)).StatusCode);
        Assert.Equal("This link was already used. Please ask for a new one.",
            await FieldErrorAsync(await ChooseAsync(scanner, attacker["username"], AttackerPassword), "token"));
        // The verification link has done its work: it now says so, like any used link.
        Assert.Equal("/email_verified.html", await OpenAsync(link));
        await AssertOnlyTheOwnerSignsInAsync(owner, attacker);
    }

    [Fact]
    public async Task Two_set_password_links_used_at_the_same_moment_give_one_account_and_no_server_error()
    {
        var (owner, attacker) = Parties();
        await App.RegisterAsync(owner);
        await App.RegisterAsync(attacker);
        var link = await NewestLinkAsync(owner["email"]!);
        var tokens = new[] { SetPasswordToken(await OpenAsync(link)), SetPasswordToken(await OpenAsync(link)), SetPasswordToken(await OpenAsync(link)) };

        var answers = await Task.WhenAll(tokens.Select((t, i) => ChooseAsync(t, $"{owner["username"]}{i}", OwnerFinalPassword)));

        Assert.Single(answers, a => a.StatusCode == HttpStatusCode.NoContent);
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.NoContent), a => Assert.Equal(HttpStatusCode.BadRequest, a.StatusCode));
    }

    [Fact]
    public async Task A_lock_a_stranger_ran_up_on_the_pending_account_is_lifted_when_the_owner_chooses_credentials()
    {
        // The attacker pre-registers the address and then locks "their" pending account by name.
        var (owner, attacker) = Parties();
        await App.RegisterAsync(attacker);
        await App.RegisterAsync(owner);
        for (var i = 0; i < 6; i++)
        {
            await LoginAsync(attacker["username"]!, $"Wrong-{i}-Password");
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginAsync(owner["email"]!, "Wrong-X-Password"));

        var token = SetPasswordToken(await OpenAsync(await NewestLinkAsync(owner["email"]!)));
        Assert.Equal(HttpStatusCode.NoContent, (await ChooseAsync(token, owner["username"], OwnerFinalPassword)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, await LoginAsync(owner["email"]!, OwnerFinalPassword));
    }

    [Fact]
    public async Task Choosing_credentials_names_each_bad_field_and_loses_nothing()
    {
        var (owner, attacker) = Parties();
        await App.RegisterAsync(owner);
        await App.RegisterAsync(attacker);
        var token = SetPasswordToken(await OpenAsync(await NewestLinkAsync(owner["email"]!)));
        var someoneElse = await App.VerifiedUserAsync();

        Assert.Equal("Enter a username.", await FieldErrorAsync(await ChooseAsync(token, null, OwnerFinalPassword), "username"));
        Assert.Equal("A username cannot contain @, so that it is never mistaken for an email address.",
            await FieldErrorAsync(await ChooseAsync(token, owner["email"], OwnerFinalPassword), "username"));
        Assert.Equal("Password must be at least 8 characters.", await FieldErrorAsync(await ChooseAsync(token, owner["username"], "short"), "password"));
        var taken = await ChooseAsync(token, someoneElse["username"]!.ToUpperInvariant(), OwnerFinalPassword);
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Equal("This username is already taken.", await FieldErrorAsync(taken, "username"));
        var malformed = await App.Client().PostAsync("/api/auth/password-reset/confirm/", new StringContent("{\"token\": ", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

        // None of that used the link up or changed the account.
        Assert.Null(await App.Database.ScalarAsync<DateTime?>("SELECT email_verified_at FROM users WHERE email = $1", owner["email"]!));
        Assert.Equal(HttpStatusCode.NoContent, (await ChooseAsync(token, owner["username"], OwnerFinalPassword)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(owner["username"]!, OwnerFinalPassword));
    }

    [Fact]
    public async Task A_lone_sign_up_still_activates_with_its_own_password_through_its_link()
    {
        var form = IdentityApp.NewSignup();
        await App.RegisterAsync(form);

        Assert.Equal("/email_verified.html", await OpenAsync(await NewestLinkAsync(form["email"]!)));
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(form["email"]!, form["password"]!));
    }
}

/// <summary>An identifier with an @ is an address, never a username.</summary>
[Collection(IdentityCollection.Name)]
public sealed class AddressShapedUsernameTests(IdentityApp app) : AccountAttacks(app)
{
    /// <summary>An older account whose username is <paramref name="victim"/>'s address (the rules no longer allow it; old rows may have it).</summary>
    private async Task<Dictionary<string, string?>> ImpostorAsync(Dictionary<string, string?> victim)
    {
        var impostor = IdentityApp.NewSignup();
        impostor["password"] = AttackerPassword;
        await App.RegisterAsync(impostor);
        Assert.Equal("/email_verified.html", await OpenAsync(await NewestLinkAsync(impostor["email"]!)));
        await App.Database.ExecuteAsync(
            "UPDATE users SET username = $2, normalized_username = lower($2) WHERE email = $1", impostor["email"]!, victim["email"]!);
        return impostor;
    }

    [Fact]
    public async Task The_owner_logs_in_by_address_even_when_someone_has_that_address_as_username()
    {
        var victim = await App.VerifiedUserAsync();
        var impostor = await ImpostorAsync(victim);

        var login = await IdentityApp.LoginAsync(App.Client(), victim["email"]!.ToUpperInvariant(), victim["password"]!);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal(victim["email"], (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("email").GetString());

        // The impostor's "username" is read as the victim's address, so the impostor's password fails there.
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(victim["email"]!, impostor["password"]!));
        Assert.Equal(HttpStatusCode.Unauthorized, await LoginAsync(victim["email"]!.Replace('@', '＠'), impostor["password"]!));
        Assert.Equal(HttpStatusCode.OK, await LoginAsync(impostor["email"]!, impostor["password"]!));
    }

    [Fact]
    public async Task Make_admin_with_an_address_picks_the_account_with_that_address()
    {
        var victim = await App.VerifiedUserAsync();
        await ImpostorAsync(victim);
        var output = new StringWriter();

        Assert.Equal(0, await Commands.MakeAdminAsync(App.Services, victim["email"]!, output, new StringWriter()));

        Assert.Contains($"<{victim["email"]}>", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, await App.Database.ScalarAsync<long>(
            "SELECT count(*) FROM users WHERE 'admin' = ANY(roles) AND normalized_email = lower($1)", victim["email"]!));
        Assert.Equal(0, await App.Database.ScalarAsync<long>(
            "SELECT count(*) FROM users WHERE 'admin' = ANY(roles) AND normalized_username = lower($1)", victim["email"]!));
        Assert.Equal(1, await Commands.MakeAdminAsync(App.Services, $"nobody-{Guid.NewGuid():N}@mail.test", output, new StringWriter()));
    }

    [Fact]
    public async Task A_sign_up_cannot_take_a_username_shaped_like_an_address()
    {
        var victim = IdentityApp.NewSignup();
        var attacker = IdentityApp.NewSignup("ja");
        attacker["username"] = victim["email"];

        var response = await App.RegisterAsync(attacker);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("ユーザー名に @ は使えません（メールアドレスと区別するためです）。", await FieldErrorAsync(response, "username"));
        Assert.Equal(0, await App.Database.ScalarAsync<long>("SELECT count(*) FROM users WHERE email = $1", attacker["email"]!));
    }
}

/// <summary>An account an admin deactivated stays so, whatever link is opened later.</summary>
[Collection(IdentityCollection.Name)]
public sealed class DeactivationTests(IdentityApp app) : AccountAttacks(app)
{
    private async Task<HttpClient> AdminAsync()
    {
        var admin = await App.VerifiedUserAsync(admin: true);
        var session = App.Client();
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(session, admin["username"]!, admin["password"]!)).StatusCode);
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/token/");
        request.Headers.Add("X-CSRF", "1");
        var token = await (await session.SendAsync(request)).Content.ReadFromJsonAsync<JsonElement>();
        var client = App.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("access_token").GetString());
        return client;
    }

    private async Task DeactivateAsync(string email)
    {
        var id = await App.Database.ScalarAsync<Guid>("SELECT id FROM users WHERE email = $1", email);
        Assert.Equal(HttpStatusCode.NoContent, (await (await AdminAsync()).PostAsync($"/api/admin/users/{id}/deactivate", null)).StatusCode);
    }

    private async Task AssertStillDeactivatedAsync(Dictionary<string, string?> form, params string[] passwords)
    {
        Assert.False(await App.Database.ScalarAsync<bool>("SELECT is_active FROM users WHERE email = $1", form["email"]!));
        foreach (var password in passwords.Append(form["password"]!))
        {
            Assert.NotEqual(HttpStatusCode.OK, await LoginAsync(form["email"]!, password));
        }

        var login = await IdentityApp.LoginAsync(App.Client(), form["username"]!, form["password"]!);
        Assert.Equal(HttpStatusCode.Forbidden, login.StatusCode);
        Assert.Equal("account_deactivated", (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_deactivated_pending_account_is_not_switched_on_by_its_verification_link()
    {
        var form = IdentityApp.NewSignup();
        await App.RegisterAsync(form);
        var link = await NewestLinkAsync(form["email"]!);

        await DeactivateAsync(form["email"]!);

        Assert.Equal("/email_verification_error.html?reason=deactivated", await OpenAsync(link));
        Assert.Empty(await App.EventsAsync("UserEmailVerified", form["email"]!));
        await AssertStillDeactivatedAsync(form);

        // Nor can anyone get a fresh link for it, by resend, by admin or by signing up again.
        await App.Client().PostAsJsonAsync("/api/auth/resend-verification/", new { email = form["email"], locale = "en" });
        var again = IdentityApp.NewSignup();
        again["email"] = form["email"];
        Assert.Equal(HttpStatusCode.Accepted, (await App.RegisterAsync(again)).StatusCode);
        Assert.Single(await LinksAsync(form["email"]!));
        var id = await App.Database.ScalarAsync<Guid>("SELECT id FROM users WHERE email = $1", form["email"]!);
        Assert.Equal(HttpStatusCode.Conflict, (await (await AdminAsync()).PostAsync($"/api/admin/users/{id}/resend-verification", null)).StatusCode);
    }

    [Fact]
    public async Task A_reminder_link_sent_before_the_deactivation_is_refused_and_the_account_is_not_deleted_later()
    {
        var form = IdentityApp.NewSignup();
        await App.RegisterAsync(form);
        await App.Database.ExecuteAsync("UPDATE users SET created_at = now() - interval '25 hours' WHERE email = $1", form["email"]!);
        var lifecycle = App.Services.GetRequiredService<AccountLifecycle>();
        await lifecycle.RunOnceAsync(CancellationToken.None);
        var reminder = Assert.Single(await App.EventsAsync("VerificationReminderDue", form["email"]!)).GetProperty("verificationUrl").GetString()!;

        await DeactivateAsync(form["email"]!);

        Assert.Equal("/email_verification_error.html?reason=deactivated", await OpenAsync(PathOf(reminder)));
        await AssertStillDeactivatedAsync(form);
        await App.Database.ExecuteAsync("UPDATE users SET created_at = now() - interval '30 days' WHERE email = $1", form["email"]!);
        await lifecycle.RunOnceAsync(CancellationToken.None);
        Assert.Equal(1, await App.Database.ScalarAsync<long>("SELECT count(*) FROM users WHERE email = $1", form["email"]!));
    }

    [Fact]
    public async Task A_password_reset_link_sent_before_the_deactivation_sets_nothing()
    {
        var form = await App.VerifiedUserAsync();
        await App.Client().PostAsJsonAsync("/api/auth/password-reset/", new { email = form["email"], locale = "en" });
        var url = (await App.EventsAsync("PasswordResetRequested", form["email"]!))[^1].GetProperty("resetUrl").GetString()!;
        var token = url[(url.IndexOf("token=", StringComparison.Ordinal) + 6)..];

        await DeactivateAsync(form["email"]!);

        var response = await App.Client().PostAsJsonAsync("/api/auth/password-reset/confirm/", new { token, password = OwnerFinalPassword, locale = "en" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("This account has been deactivated, so this link cannot be used.", await FieldErrorAsync(response, "token"));
        await AssertStillDeactivatedAsync(form, OwnerFinalPassword);
        // Its old verification link, already used, says why too.
        Assert.Equal("/email_verification_error.html?reason=deactivated", await OpenAsync(await NewestLinkAsync(form["email"]!)));
    }

    [Fact]
    public async Task A_set_password_link_of_a_contested_sign_up_is_refused_after_the_deactivation()
    {
        var form = IdentityApp.NewSignup();
        await App.RegisterAsync(form);
        var other = IdentityApp.NewSignup();
        other["email"] = form["email"];
        await App.RegisterAsync(other);
        var link = await NewestLinkAsync(form["email"]!);
        var token = SetPasswordToken(await OpenAsync(link));

        await DeactivateAsync(form["email"]!);

        var response = await ChooseAsync(token, form["username"], OwnerFinalPassword);
        Assert.Equal("This account has been deactivated, so this link cannot be used.", await FieldErrorAsync(response, "token"));
        Assert.Equal("/email_verification_error.html?reason=deactivated", await OpenAsync(link));
        await AssertStillDeactivatedAsync(form, OwnerFinalPassword);
    }
}
