using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace SalesMind.Identity.Tests;

[Collection(IdentityCollection.Name)]
public sealed class PasswordResetTests(IdentityApp app)
{
    private async Task<string> RequestResetAsync(string email)
    {
        var response = await app.Client().PostAsJsonAsync("/api/auth/password-reset/", new { email, locale = "en" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var url = (await app.EventsAsync("PasswordResetRequested", email))[^1].GetProperty("resetUrl").GetString()!;
        Assert.StartsWith($"{IdentityApp.PublicBaseUrl}/reset_password.html?token=", url);
        return url[(url.IndexOf("token=", StringComparison.Ordinal) + 6)..];
    }

    private Task<HttpResponseMessage> ConfirmAsync(string token, string password, HttpClient? client = null) =>
        (client ?? app.Client()).PostAsJsonAsync("/api/auth/password-reset/confirm/", new { token, password, locale = "en" });

    private static async Task<string> FieldErrorAsync(HttpResponseMessage response, string field)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return problem.GetProperty("errors").GetProperty(field)[0].GetString()!;
    }

    [Fact]
    public async Task A_reset_link_sets_a_new_password_once_and_signs_the_account_out_everywhere()
    {
        var form = await app.VerifiedUserAsync();
        var signedIn = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(signedIn, form["username"]!, form["password"]!)).StatusCode);
        var token = await RequestResetAsync(form["email"]!);

        Assert.Equal("Password must be at least 8 characters.", await FieldErrorAsync(await ConfirmAsync(token, "short"), "password"));
        Assert.Equal(HttpStatusCode.NoContent, (await ConfirmAsync(token, "Fresh-Meadow-2741")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await signedIn.GetAsync("/api/auth/me/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityApp.LoginAsync(app.Client(), form["username"]!, form["password"]!)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(app.Client(), form["username"]!, "Fresh-Meadow-2741")).StatusCode);
        Assert.Equal("This link was already used. Please ask for a new one.", await FieldErrorAsync(await ConfirmAsync(token, "Another-Meadow-1"), "token"));
    }

    [Fact]
    public async Task Unknown_and_unverified_addresses_get_the_same_202_and_no_email()
    {
        var pending = IdentityApp.NewSignup();
        await app.RegisterAsync(pending);
        var unknown = $"nobody-{Guid.NewGuid():N}@mail.test";

        var a = await app.Client().PostAsJsonAsync("/api/auth/password-reset/", new { email = unknown });
        var b = await app.Client().PostAsJsonAsync("/api/auth/password-reset/", new { email = pending["email"] });

        Assert.Equal(HttpStatusCode.Accepted, a.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, b.StatusCode);
        Assert.Equal(await a.Content.ReadAsStringAsync(), await b.Content.ReadAsStringAsync());
        Assert.Empty(await app.EventsAsync("PasswordResetRequested", unknown));
        Assert.Empty(await app.EventsAsync("PasswordResetRequested", pending["email"]!));
    }

    [Fact]
    public async Task Expired_and_garbage_links_are_refused_with_a_reason()
    {
        var form = await app.VerifiedUserAsync();
        var token = await RequestResetAsync(form["email"]!);
        await app.Database.ExecuteAsync(
            "UPDATE password_reset_tokens t SET expires_at = now() - interval '1 second' FROM users u WHERE u.id = t.user_id AND u.email = $1", form["email"]!);

        Assert.Equal("This link has expired. Please ask for a new one.", await FieldErrorAsync(await ConfirmAsync(token, "Fresh-Meadow-2741"), "token"));
        Assert.Equal("This link is not valid. Please ask for a new one.", await FieldErrorAsync(await ConfirmAsync("garbage", "Fresh-Meadow-2741"), "token"));
        Assert.Equal("This link is not valid. Please ask for a new one.",
            await FieldErrorAsync(await ConfirmAsync(new string('A', 43), "Fresh-Meadow-2741"), "token"));
    }

    [Fact]
    public async Task A_browser_trusted_before_the_reset_gets_no_guesses_of_its_own_after_it()
    {
        var form = await app.VerifiedUserAsync();
        // Whoever held the old password logged in with it, and his browser became a known device.
        var bare = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        var stale = InstrumentedIdentityApp.DeviceCookieOf(await InstrumentedIdentityApp.LoginAsync(bare, form["username"]!, form["password"]!, null));
        Assert.NotNull(stale);
        var token = await RequestResetAsync(form["email"]!);

        Assert.Equal(HttpStatusCode.NoContent, (await ConfirmAsync(token, "Fresh-Meadow-2741")).StatusCode);
        for (var i = 0; i < 5; i++)
        {
            await IdentityApp.LoginAsync(app.Client(), form["username"]!, $"Wrong-{i}-Password");
        }

        Assert.Equal(HttpStatusCode.TooManyRequests,
            (await InstrumentedIdentityApp.LoginAsync(bare, form["username"]!, "Fresh-Meadow-2741", stale)).StatusCode);
    }

    [Fact]
    public async Task A_reset_lifts_a_lockout()
    {
        var form = await app.VerifiedUserAsync();
        for (var i = 0; i < 5; i++)
        {
            await IdentityApp.LoginAsync(app.Client(), form["username"]!, $"Wrong-{i}-Password");
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await IdentityApp.LoginAsync(app.Client(), form["username"]!, form["password"]!)).StatusCode);
        var token = await RequestResetAsync(form["email"]!);
        Assert.Equal(HttpStatusCode.NoContent, (await ConfirmAsync(token, "Fresh-Meadow-2741")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(app.Client(), form["username"]!, "Fresh-Meadow-2741")).StatusCode);
    }
}
