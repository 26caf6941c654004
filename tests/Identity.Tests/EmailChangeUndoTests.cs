using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static SalesMind.Identity.Tests.EmailChangeFlow;

namespace SalesMind.Identity.Tests;

/// <summary>The undo link mailed to the old address after a change, and the hold on that address.</summary>
[Collection(IdentityCollection.Name)]
public sealed class EmailChangeUndoTests(IdentityApp app)
{
    /// <summary>A signed-in account moved to a new address; the client still holds its session.</summary>
    private async Task<(Dictionary<string, string?> Form, HttpClient Client, string NewEmail)> ChangedAsync()
    {
        var (form, client) = await app.SignedInAsync();
        var newEmail = NewAddress();
        await RequestAsync(client, newEmail, form["password"]!);
        var (code, _) = await app.MailedConfirmationAsync(newEmail);
        (await ConfirmCodeAsync(client, code)).EnsureSuccessStatusCode();
        return (form, client, newEmail);
    }

    [Fact]
    public async Task Undo_restores_the_old_address_ends_every_session_and_admin_token_and_works_once()
    {
        var (form, client, newEmail) = await ChangedAsync();
        var otherDevice = app.Client();
        (await IdentityApp.LoginAsync(otherDevice, newEmail, form["password"]!)).EnsureSuccessStatusCode();
        var versionBefore = await app.Database.ScalarAsync<int>("SELECT token_version FROM users WHERE email = $1", newEmail);
        var token = await app.MailedUndoTokenAsync(form["email"]!);

        var undone = await UndoAsync(app.Client(), token);

        Assert.Equal(HttpStatusCode.OK, undone.StatusCode);
        var body = await undone.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(form["email"], body.GetProperty("email").GetString());
        Assert.True(body.GetProperty("restored").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/auth/me/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await otherDevice.GetAsync("/api/auth/me/")).StatusCode);
        Assert.Equal(0L, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM known_devices d JOIN users u ON u.id = d.user_id WHERE u.email = $1", form["email"]!));
        Assert.Equal(versionBefore + 1, await app.Database.ScalarAsync<int>("SELECT token_version FROM users WHERE email = $1", form["email"]!));
        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityApp.LoginAsync(app.Client(), newEmail, form["password"]!)).StatusCode);
        Assert.Equal("This link was already used.", await FieldErrorAsync(await UndoAsync(app.Client(), token), "token"));
        Assert.Equal(1L, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM account_audit a JOIN users u ON u.id = a.target_user_id WHERE u.email = $1 AND a.action = 'email.change_undone'", form["email"]!));
    }

    [Fact]
    public async Task Undo_voids_a_reset_link_the_new_address_got()
    {
        var (form, _, newEmail) = await ChangedAsync();
        await app.Client().PostAsJsonAsync("/api/auth/password-reset/", new { email = newEmail, locale = "en" });
        var resetUrl = (await app.EventsAsync("PasswordResetRequested", newEmail))[^1].GetProperty("resetUrl").GetString()!;

        (await UndoAsync(app.Client(), await app.MailedUndoTokenAsync(form["email"]!))).EnsureSuccessStatusCode();

        var reset = await app.Client().PostAsJsonAsync("/api/auth/password-reset/confirm/",
            new { token = TokenOf(resetUrl, "token"), password = "Another-Meadow-5521", locale = "en" });
        Assert.Equal(HttpStatusCode.BadRequest, reset.StatusCode);
    }

    [Fact]
    public async Task While_the_owners_undo_link_works_no_later_change_can_be_made_to_void_it()
    {
        // A stolen session and password moved the account A -> B; the owner got the undo link at A.
        var (form, thief, _) = await ChangedAsync();
        var third = NewAddress();

        // B -> C would give the thief an undo link of his own, whose use voided the owner's.
        var again = await RequestAsync(thief, third, form["password"]!);

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var message = await FieldErrorAsync(again, "new_email");
        Assert.StartsWith("An address change was made recently; it can be undone from the old address until ", message, StringComparison.Ordinal);
        Assert.EndsWith("UTC. Try again after that.", message, StringComparison.Ordinal);
        Assert.Empty(await app.EventsAsync("EmailChangeRequested", third));
        var undone = await UndoAsync(app.Client(), await app.MailedUndoTokenAsync(form["email"]!));
        Assert.Equal(HttpStatusCode.OK, undone.StatusCode);
        Assert.Equal(form["email"], (await undone.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("email").GetString());

        // Once the undo link is used (or has run out), the owner may ask for the next change.
        var owner = await SignedInWithNewPasswordAsync(form);
        Assert.Equal(HttpStatusCode.Accepted, (await RequestAsync(owner, third, NewPassword)).StatusCode);
    }

    [Fact]
    public async Task After_an_undo_the_password_the_changer_used_no_longer_logs_in_and_the_restored_address_gets_a_reset_link()
    {
        var (form, _, _) = await ChangedAsync();

        var undone = await UndoAsync(app.Client(), await app.MailedUndoTokenAsync(form["email"]!));

        Assert.True((await undone.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("password_reset_sent").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityApp.LoginAsync(app.Client(), form["email"]!, form["password"]!)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityApp.LoginAsync(app.Client(), form["username"]!, form["password"]!)).StatusCode);
        // The link went to the restored address only, and it lets the owner in again.
        Assert.NotNull(await SignedInWithNewPasswordAsync(form));
    }

    private const string NewPassword = "Another-Meadow-5521";

    /// <summary>The owner uses the reset link the undo mailed to the restored address, and logs in with the new password.</summary>
    private async Task<HttpClient> SignedInWithNewPasswordAsync(Dictionary<string, string?> form)
    {
        var mail = Assert.Single(await app.EventsAsync("PasswordResetRequested", form["email"]!));
        var reset = await app.Client().PostAsJsonAsync("/api/auth/password-reset/confirm/",
            new { token = TokenOf(mail.GetProperty("resetUrl").GetString()!, "token"), password = NewPassword, locale = "en" });
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        var client = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(client, form["email"]!, NewPassword)).StatusCode);
        return client;
    }

    [Fact]
    public async Task An_expired_undo_link_changes_nothing()
    {
        var (form, client, newEmail) = await ChangedAsync();
        var token = await app.MailedUndoTokenAsync(form["email"]!);
        await app.Database.ExecuteAsync(
            "UPDATE email_changes SET undo_expires_at = now() - interval '1 minute' WHERE normalized_new_email = $1", newEmail);

        var undone = await UndoAsync(app.Client(), token);

        Assert.Equal("This link has expired.", await FieldErrorAsync(undone, "token"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/me/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(app.Client(), newEmail, form["password"]!)).StatusCode);
    }

    [Fact]
    public async Task The_old_address_is_held_for_the_undo_sign_ups_and_other_accounts_cannot_take_it()
    {
        var (form, _, _) = await ChangedAsync();
        var oldEmail = form["email"]!;
        var squatter = IdentityApp.NewSignup();
        squatter["email"] = oldEmail.ToUpperInvariant();
        var (other, otherClient) = await app.SignedInAsync();

        var signup = await app.RegisterAsync(squatter);
        var move = await RequestAsync(otherClient, oldEmail, other["password"]!);

        // The same answers as for any address: nothing says the address is held.
        Assert.Equal(HttpStatusCode.Accepted, signup.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, move.StatusCode);
        Assert.DoesNotContain(await app.EventsAsync("UserRegistered", oldEmail), e => e.GetProperty("username").GetString() == squatter["username"]);
        Assert.Empty(await app.EventsAsync("EmailChangeRequested", oldEmail));
        Assert.Equal(0L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM users WHERE username = $1", squatter["username"]!));

        // So the undo always has its address to put back.
        var undone = await UndoAsync(app.Client(), await app.MailedUndoTokenAsync(oldEmail));
        Assert.True((await undone.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("restored").GetBoolean());
    }

    [Fact]
    public async Task Once_the_undo_period_is_over_the_old_address_is_free_again()
    {
        var (form, _, newEmail) = await ChangedAsync();
        await app.Database.ExecuteAsync(
            "UPDATE email_changes SET undo_expires_at = now() - interval '1 minute' WHERE normalized_new_email = $1", newEmail);
        var signup = IdentityApp.NewSignup();
        signup["email"] = form["email"];

        Assert.Equal(HttpStatusCode.Accepted, (await app.RegisterAsync(signup)).StatusCode);

        Assert.Single(await app.EventsAsync("UserRegistered", form["email"]!), e => e.GetProperty("username").GetString() == signup["username"]);
    }
}
