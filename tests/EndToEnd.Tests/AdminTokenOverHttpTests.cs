using System.Net;
using System.Net.Http.Headers;
using SalesMind.TestSupport;

namespace SalesMind.EndToEnd.Tests;

/// <summary>
/// Through nginx, against the running services: an admin's token dies on both services within
/// seconds of the admin's deactivation, and tokens signed any other way than by Identity's key get in nowhere.
/// </summary>
public sealed class AdminTokenOverHttpTests
{
    private static async Task<HttpStatusCode> CallAsync(string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await FrontDoor.Client.SendAsync(request);
        return response.StatusCode;
    }

    private const string IdentityAdmin = "/api/admin/users/?limit=1";
    private const string NotifierAdmin = "/notifier/api/admin/templates";

    [Fact]
    public async Task Deactivating_an_admin_kills_its_token_on_Identity_at_once_and_on_the_Notifier_within_seconds()
    {
        var (token, id) = await SignedInAdmin.AdminTokenAsync();
        var (other, _) = await SignedInAdmin.AdminTokenAsync();
        Assert.Equal(HttpStatusCode.OK, await CallAsync(IdentityAdmin, token));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(NotifierAdmin, token));

        using var deactivate = new HttpRequestMessage(HttpMethod.Post, $"/api/admin/users/{id}/deactivate");
        deactivate.Headers.Authorization = new AuthenticationHeaderValue("Bearer", other);
        Assert.Equal(HttpStatusCode.NoContent, (await FrontDoor.Client.SendAsync(deactivate)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(IdentityAdmin, token));
        await Eventually.HoldsAsync(async () => await CallAsync(NotifierAdmin, token) == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(15), "the Notifier refuses the deactivated admin's token");
        Assert.Equal(HttpStatusCode.OK, await CallAsync(NotifierAdmin, other));
    }

    [Fact]
    public async Task Tokens_forged_from_a_real_admins_claims_get_401_on_both_services()
    {
        var (token, _) = await SignedInAdmin.AdminTokenAsync();

        foreach (var (name, forged) in TestAdminTokens.Forgeries(token))
        {
            Assert.True(await CallAsync(IdentityAdmin, forged) == HttpStatusCode.Unauthorized, $"Identity let in a token forged by {name}");
            Assert.True(await CallAsync(NotifierAdmin, forged) == HttpStatusCode.Unauthorized, $"the Notifier let in a token forged by {name}");
        }
    }
}
