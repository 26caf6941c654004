using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static SalesMind.Identity.Tests.EmailChangeFlow;

namespace SalesMind.Identity.Tests;

/// <summary>Changing the account's address: asked for with the password, confirmed from the new mailbox.</summary>
[Collection(IdentityCollection.Name)]
public sealed class EmailChangeTests(IdentityApp app)
{
    [Fact]
    public async Task The_old_address_stays_in_force_until_the_code_from_the_new_mailbox_confirms_the_change()
    {
        var (form, client) = await app.SignedInAsync();
        var newEmail = NewAddress();

        var asked = await RequestAsync(client, newEmail, form["password"]!);

        Assert.Equal(HttpStatusCode.Accepted, asked.StatusCode);
        Assert.Equal("confirmation_sent", (await asked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(app.Client(), form["email"]!, form["password"]!)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityApp.LoginAsync(app.Client(), newEmail, form["password"]!)).StatusCode);
        Assert.Empty(await app.EventsAsync("EmailChanged", form["email"]!));

        var (code, _) = await app.MailedConfirmationAsync(newEmail);
        var confirmed = await ConfirmCodeAsync(client, code);

        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Equal(newEmail, (await confirmed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("email").GetString());
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(app.Client(), newEmail, form["password"]!)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityApp.LoginAsync(app.Client(), form["email"]!, form["password"]!)).StatusCode);
        Assert.Equal(newEmail, (await client.GetFromJsonAsync<JsonElement>("/api/auth/me/")).GetProperty("email").GetString());
        var notice = Assert.Single(await app.EventsAsync("EmailChanged", form["email"]!));
        Assert.Equal(newEmail, notice.GetProperty("newEmail").GetString());
        Assert.Equal(1L, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM account_audit a JOIN users u ON u.id = a.target_user_id WHERE u.email = $1 AND a.action = 'email.changed'", newEmail));
    }

    [Fact]
    public async Task A_wrong_password_is_a_field_error_and_counts_toward_the_lock()
    {
        var (_, client) = await app.SignedInAsync();
        var newEmail = NewAddress();

        var first = await RequestAsync(client, newEmail, "Not-The-Password-1");

        Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);
        Assert.Equal("The password is wrong.", await FieldErrorAsync(first, "password"));
        Assert.Empty(await app.EventsAsync("EmailChangeRequested", newEmail));
        for (var i = 1; i < 5; i++)
        {
            await RequestAsync(client, newEmail, "Not-The-Password-1");
        }

        // The sixth try is not evaluated at all, the right password included.
        var locked = await RequestAsync(client, newEmail, "Quiet-Harbor-7319");
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.True(locked.Headers.RetryAfter is not null);
        Assert.Empty(await app.EventsAsync("EmailChangeRequested", newEmail));
    }

    [Fact]
    public async Task An_address_with_an_account_gets_the_same_answer_no_link_and_its_owner_a_notice()
    {
        var owner = await app.VerifiedUserAsync();
        var pending = IdentityApp.NewSignup();
        await app.RegisterAsync(pending);
        var (form, client) = await app.SignedInAsync();
        var free = NewAddress();

        var toFree = await RequestAsync(client, free, form["password"]!);
        var toTaken = await RequestAsync(client, owner["email"]!.ToUpperInvariant(), form["password"]!);
        var toPending = await RequestAsync(client, pending["email"]!, form["password"]!);

        foreach (var (answer, address) in new[] { (toFree, free), (toTaken, owner["email"]!.ToUpperInvariant()), (toPending, pending["email"]!) })
        {
            Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
            var body = await answer.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(["expires_at", "new_email", "status"], body.EnumerateObject().Select(p => p.Name).Order());
            Assert.Equal(address, body.GetProperty("new_email").GetString());
        }

        Assert.Empty(await app.EventsAsync("EmailChangeRequested", owner["email"]!));
        Assert.Empty(await app.EventsAsync("EmailChangeRequested", pending["email"]!));
        Assert.Single(await app.EventsAsync("EmailChangeAttempted", owner["email"]!));
        Assert.Single(await app.EventsAsync("EmailChangeAttempted", pending["email"]!));
        // A code for the taken address fails exactly as a wrong code for a free one would.
        var guess = await ConfirmCodeAsync(client, "000000");
        Assert.Equal(HttpStatusCode.BadRequest, guess.StatusCode);
        Assert.Equal("The code is wrong.", await FieldErrorAsync(guess, "code"));

        // The owner is told at most once an hour.
        await RequestAsync(client, owner["email"]!, form["password"]!);
        Assert.Single(await app.EventsAsync("EmailChangeAttempted", owner["email"]!));
    }

    [Fact]
    public async Task The_answer_for_a_taken_address_takes_as_long_as_for_a_free_one()
    {
        var owner = await app.VerifiedUserAsync();
        var (form, client) = await app.SignedInAsync();
        var taken = new List<TimeSpan>();
        var free = new List<TimeSpan>();
        for (var i = 0; i < 2; i++)
        {
            await app.Database.ExecuteAsync("DELETE FROM email_changes WHERE user_id = (SELECT id FROM users WHERE email = $1)", form["email"]!);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await RequestAsync(client, owner["email"]!, form["password"]!);
            taken.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started));
            started = System.Diagnostics.Stopwatch.GetTimestamp();
            await RequestAsync(client, NewAddress(), form["password"]!);
            free.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }

        // Both wait for the uniform answer time after the password check (150 ms by default).
        Assert.All(taken.Concat(free), t => Assert.True(t >= TimeSpan.FromMilliseconds(150), $"answered after {t.TotalMilliseconds} ms"));
    }

    [Fact]
    public async Task Five_wrong_codes_kill_the_code_and_the_right_one_then_fails_too()
    {
        var (form, client) = await app.SignedInAsync();
        var newEmail = NewAddress();
        await RequestAsync(client, newEmail, form["password"]!);
        var (code, _) = await app.MailedConfirmationAsync(newEmail);
        var wrong = code == "111111" ? "222222" : "111111";

        var answers = new List<string?>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add(await FieldErrorAsync(await ConfirmCodeAsync(client, wrong), "code"));
        }

        Assert.Equal(4, answers.Count(a => a == "The code is wrong."));
        Assert.StartsWith("This code can no longer be used", answers[^1], StringComparison.Ordinal);
        var right = await ConfirmCodeAsync(client, code);
        Assert.Equal(HttpStatusCode.BadRequest, right.StatusCode);
        Assert.StartsWith("This code can no longer be used", await FieldErrorAsync(right, "code"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(app.Client(), form["email"]!, form["password"]!)).StatusCode);
    }

    [Fact]
    public async Task Parallel_wrong_codes_never_get_more_than_five_tries()
    {
        var (form, client) = await app.SignedInAsync();
        var newEmail = NewAddress();
        await RequestAsync(client, newEmail, form["password"]!);
        var (code, _) = await app.MailedConfirmationAsync(newEmail);
        var guesses = Enumerable.Range(0, 12).Select(i => ((int.Parse(code) + 1 + i) % 1_000_000).ToString("D6")).ToList();

        var answers = await Task.WhenAll(guesses.Select(g => ConfirmCodeAsync(client, g)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.BadRequest, a.StatusCode));
        Assert.Equal(5, await app.Database.ScalarAsync<int>(
            "SELECT code_attempts FROM email_changes WHERE normalized_new_email = $1", newEmail));
    }

    [Fact]
    public async Task A_newer_request_revokes_the_older_ones_link_and_code()
    {
        var (form, client) = await app.SignedInAsync();
        var first = NewAddress();
        var second = NewAddress();
        await RequestAsync(client, first, form["password"]!);
        var (firstCode, firstToken) = await app.MailedConfirmationAsync(first);
        await RequestAsync(client, second, form["password"]!);
        var (secondCode, _) = await app.MailedConfirmationAsync(second);

        var oldLink = await ConfirmTokenAsync(app.Client(), firstToken);
        Assert.Equal(HttpStatusCode.BadRequest, oldLink.StatusCode);
        Assert.Equal("This link has expired.", await FieldErrorAsync(oldLink, "token"));
        if (firstCode != secondCode)
        {
            Assert.Equal("The code is wrong.", await FieldErrorAsync(await ConfirmCodeAsync(client, firstCode), "code"));
        }

        Assert.Equal(HttpStatusCode.OK, (await ConfirmCodeAsync(client, secondCode)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(app.Client(), second, form["password"]!)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityApp.LoginAsync(app.Client(), first, form["password"]!)).StatusCode);
    }

    [Fact]
    public async Task The_link_works_without_a_session_once_and_then_the_code_has_nothing_left_to_confirm()
    {
        var (form, client) = await app.SignedInAsync();
        var newEmail = NewAddress();
        await RequestAsync(client, newEmail, form["password"]!);
        var (code, token) = await app.MailedConfirmationAsync(newEmail);

        var byLink = await ConfirmTokenAsync(app.Client(), token);
        var again = await ConfirmTokenAsync(app.Client(), token);
        var byCode = await ConfirmCodeAsync(client, code);

        Assert.Equal(HttpStatusCode.OK, byLink.StatusCode);
        Assert.Equal("This link was already used.", await FieldErrorAsync(again, "token"));
        Assert.Equal(HttpStatusCode.BadRequest, byCode.StatusCode);
        Assert.StartsWith("There is no address change waiting", await FieldErrorAsync(byCode, "code"), StringComparison.Ordinal);
        Assert.Single(await app.EventsAsync("EmailChanged", form["email"]!));
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task Forged_links_are_refused(string token)
    {
        var confirm = await ConfirmTokenAsync(app.Client(), token);
        var undo = await UndoAsync(app.Client(), token);

        Assert.Equal("This link is not valid.", await FieldErrorAsync(confirm, "token"));
        Assert.Equal("This link is not valid.", await FieldErrorAsync(undo, "token"));
    }

    [Fact]
    public async Task An_expired_link_and_code_are_refused()
    {
        var (form, client) = await app.SignedInAsync();
        var newEmail = NewAddress();
        await RequestAsync(client, newEmail, form["password"]!);
        var (code, token) = await app.MailedConfirmationAsync(newEmail);
        await app.Database.ExecuteAsync("UPDATE email_changes SET expires_at = now() - interval '1 minute' WHERE normalized_new_email = $1", newEmail);

        Assert.Equal("This link has expired.", await FieldErrorAsync(await ConfirmTokenAsync(app.Client(), token), "token"));
        Assert.StartsWith("This code can no longer be used", await FieldErrorAsync(await ConfirmCodeAsync(client, code), "code"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(app.Client(), form["email"]!, form["password"]!)).StatusCode);
    }

    [Fact]
    public async Task Two_accounts_confirming_one_new_address_at_once_end_with_exactly_one_owner()
    {
        for (var round = 0; round < 3; round++)
        {
            var (a, clientA) = await app.SignedInAsync();
            var (b, clientB) = await app.SignedInAsync();
            var contested = NewAddress();
            await RequestAsync(clientA, contested, a["password"]!);
            var (codeA, _) = await app.MailedConfirmationAsync(contested);
            await RequestAsync(clientB, contested, b["password"]!);
            var (codeB, _) = await app.MailedConfirmationAsync(contested);

            var answers = await Task.WhenAll(ConfirmCodeAsync(clientA, codeA), ConfirmCodeAsync(clientB, codeB));

            Assert.Single(answers, r => r.StatusCode == HttpStatusCode.OK);
            var loser = Assert.Single(answers, r => r.StatusCode == HttpStatusCode.Conflict);
            Assert.Equal("This address is now used by another account.", await FieldErrorAsync(loser, "new_email"));
            Assert.Equal(1L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM users WHERE normalized_email = $1", contested));
        }
    }

    /// <summary>A stolen session and password asked to move the account to the attacker's mailbox; the link is his.</summary>
    private async Task<(Dictionary<string, string?> Form, string Link, string Mailbox)> PendingTakeoverAsync()
    {
        var (form, thief) = await app.SignedInAsync();
        var mailbox = NewAddress();
        Assert.Equal(HttpStatusCode.Accepted, (await RequestAsync(thief, mailbox, form["password"]!)).StatusCode);
        var (_, link) = await app.MailedConfirmationAsync(mailbox);
        return (form, link, mailbox);
    }

    private async Task AssertTheLinkNoLongerHandsTheAccountOverAsync(string link, string mailbox)
    {
        var confirm = await ConfirmTokenAsync(app.Client(), link);

        Assert.Equal(HttpStatusCode.BadRequest, confirm.StatusCode);
        Assert.Equal("This link has expired.", await FieldErrorAsync(confirm, "token"));
        Assert.Equal(0L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM users WHERE normalized_email = $1", mailbox));
    }

    [Fact]
    public async Task The_owner_changing_the_password_voids_a_pending_change_whose_link_needs_no_session()
    {
        var (form, link, mailbox) = await PendingTakeoverAsync();
        var owner = await AccountRequests.SignedInAsync(app, form);

        var changed = await AccountRequests.SendAsync(owner, HttpMethod.Post, "/api/account/password/",
            new { current_password = form["password"], new_password = "Amber-Orchard-5921" });

        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        await AssertTheLinkNoLongerHandsTheAccountOverAsync(link, mailbox);
    }

    [Fact]
    public async Task A_password_reset_voids_a_pending_change_whose_link_needs_no_session()
    {
        var (form, link, mailbox) = await PendingTakeoverAsync();
        await app.Client().PostAsJsonAsync("/api/auth/password-reset/", new { email = form["email"], locale = "en" });
        var resetUrl = (await app.EventsAsync("PasswordResetRequested", form["email"]!))[^1].GetProperty("resetUrl").GetString()!;

        var reset = await app.Client().PostAsJsonAsync("/api/auth/password-reset/confirm/",
            new { token = TokenOf(resetUrl, "token"), password = "Fresh-Meadow-2741", locale = "en" });

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        await AssertTheLinkNoLongerHandsTheAccountOverAsync(link, mailbox);
    }

    [Fact]
    public async Task Deactivating_the_account_voids_a_pending_change_so_it_is_dead_after_a_reactivation_too()
    {
        var (form, link, mailbox) = await PendingTakeoverAsync();
        var admin = await UserAdminClient.CreateAsync(app);
        var id = await AccountRequests.UserIdAsync(app, form);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync(id, "deactivate")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync(id, "reactivate")).StatusCode);

        await AssertTheLinkNoLongerHandsTheAccountOverAsync(link, mailbox);
    }

    [Fact]
    public async Task Every_step_needs_the_csrf_header_and_the_signed_in_steps_a_session()
    {
        var (form, client) = await app.SignedInAsync();
        var newEmail = NewAddress();

        Assert.Equal(HttpStatusCode.Forbidden, (await RequestAsync(client, newEmail, form["password"]!, csrf: false)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(client, ConfirmUrl, new { code = "123456" }, csrf: false)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(client, UndoUrl, new { token = "x" }, csrf: false)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RequestAsync(app.Client(), newEmail, form["password"]!)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ConfirmCodeAsync(app.Client(), "123456")).StatusCode);
        Assert.Empty(await app.EventsAsync("EmailChangeRequested", newEmail));
    }
}
