using System.Net;

namespace SalesMind.Identity.Tests;

[Collection(IdentityCollection.Name)]
public sealed class VerificationTests(IdentityApp app)
{
    private async Task<(string Email, string Path)> SignUpAsync()
    {
        var form = IdentityApp.NewSignup();
        Assert.Equal(HttpStatusCode.Accepted, (await app.RegisterAsync(form)).StatusCode);
        var url = (await app.EventsAsync("UserRegistered", form["email"]!))[0].GetProperty("verificationUrl").GetString()!;
        return (form["email"]!, url[IdentityApp.PublicBaseUrl.Length..]);
    }

    private async Task<string> VisitAsync(string path)
    {
        var response = await app.Client().GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.Location!.OriginalString;
    }

    [Fact]
    public async Task The_link_activates_the_account_once_and_a_second_click_is_still_success()
    {
        var (email, path) = await SignUpAsync();

        Assert.Equal("/email_verified.html", await VisitAsync(path));
        Assert.Equal("/email_verified.html", await VisitAsync(path));

        Assert.True(await app.Database.ScalarAsync<bool>("SELECT is_active FROM users WHERE email = $1", email));
        Assert.NotEqual(default, await app.Database.ScalarAsync<DateTime>("SELECT email_verified_at FROM users WHERE email = $1", email));
        Assert.Single(await app.EventsAsync("UserEmailVerified", email));
    }

    [Fact]
    public async Task Two_simultaneous_clicks_verify_once()
    {
        var (email, path) = await SignUpAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => VisitAsync(path)));

        Assert.All(results, r => Assert.Equal("/email_verified.html", r));
        Assert.Single(await app.EventsAsync("UserEmailVerified", email));
    }

    [Fact]
    public async Task An_expired_link_says_expired_and_activates_nothing()
    {
        var (email, path) = await SignUpAsync();
        await app.Database.ExecuteAsync(
            "UPDATE email_verification_tokens t SET expires_at = now() - interval '1 minute' FROM users u WHERE u.id = t.user_id AND u.email = $1", email);

        Assert.Equal("/email_verification_error.html?reason=expired", await VisitAsync(path));
        Assert.False(await app.Database.ScalarAsync<bool>("SELECT is_active FROM users WHERE email = $1", email));
        Assert.Empty(await app.EventsAsync("UserEmailVerified", email));
    }

    [Fact]
    public async Task A_used_link_of_an_account_that_is_not_active_says_used()
    {
        var (email, path) = await SignUpAsync();
        await VisitAsync(path);
        await app.Database.ExecuteAsync("UPDATE users SET is_active = false WHERE email = $1", email);

        Assert.Equal("/email_verification_error.html?reason=used", await VisitAsync(path));
    }

    [Theory]
    [InlineData("/api/auth/verify-email/")]
    [InlineData("/api/auth/verify-email/?token=")]
    [InlineData("/api/auth/verify-email/?token=garbage")]
    [InlineData("/api/auth/verify-email/?token=%27%3B%20DROP%20TABLE%20users%3B--")]
    [InlineData("/api/auth/verify-email/?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task A_missing_malformed_or_unknown_token_says_invalid(string path)
    {
        Assert.Equal("/email_verification_error.html?reason=invalid", await VisitAsync(path));
    }
}
