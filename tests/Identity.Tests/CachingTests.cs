using System.Net;

namespace SalesMind.Identity.Tests;

/// <summary>A person's own data (the login answer, "who am I") is never kept by a browser or proxy cache.</summary>
[Collection(IdentityCollection.Name)]
public sealed class CachingTests(IdentityApp app)
{
    [Fact]
    public async Task Answers_about_a_signed_in_person_are_never_cached()
    {
        var form = await app.VerifiedUserAsync();
        var client = app.Client();

        var login = await IdentityApp.LoginAsync(client, form["username"]!, form["password"]!);
        var me = await client.GetAsync("/api/auth/me/");
        var anonymous = await app.Client().GetAsync("/api/auth/me/");

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.All(new[] { login, me, anonymous }, answer => Assert.True(answer.Headers.CacheControl?.NoStore, $"{answer.RequestMessage!.RequestUri} may be cached"));
    }
}
