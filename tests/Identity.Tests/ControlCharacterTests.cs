using System.Net;

namespace SalesMind.Identity.Tests;

/// <summary>A control character in a query parameter is answered 400 naming it, never a 500 from the database.</summary>
[Collection(IdentityCollection.Name)]
public sealed class ControlCharacterTests(IdentityApp app)
{
    [Theory]
    [InlineData("/api/admin/users/?q=%00", "q")]
    [InlineData("/api/admin/users/?q=a%00b&verified=true", "q")]
    public async Task A_NUL_in_an_admin_search_is_a_400_naming_the_parameter(string url, string parameter)
    {
        using var client = await app.AdminClientAsync();

        var answer = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Contains($"\"{parameter}\"", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_NUL_in_the_verification_link_still_lands_on_the_error_page()
    {
        var answer = await app.Client().GetAsync("/api/auth/verify-email/?token=%00");

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal("/email_verification_error.html?reason=invalid", answer.Headers.Location?.OriginalString);
    }
}
