using System.Net;
using System.Net.Http.Json;

namespace SalesMind.Notifier.Tests;

/// <summary>
/// A NUL (or other control character) sent by an admin client, or by a stolen token, is a
/// mistake in the request: it is answered 400 naming the parameter, never a 500 from the database.
/// </summary>
[Collection(NotifierCollection.Name)]
public sealed class ControlCharacterTests(NotifierApp app)
{
    [Theory]
    [InlineData("/api/admin/deliveries?recipient=%00", "recipient")]
    [InlineData("/api/admin/deliveries?template=a%00b", "template")]
    [InlineData("/api/admin/audit?target=%00", "target")]
    [InlineData("/api/admin/audit?action=%01", "action")]
    public async Task A_control_character_in_a_query_parameter_is_a_400_naming_it(string url, string parameter)
    {
        var answer = await app.AdminClient().GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"\"{parameter}\"", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_NUL_in_a_template_version_is_refused_and_nothing_is_saved()
    {
        var client = app.AdminClient();
        var before = await client.GetStringAsync("/api/admin/templates/welcome/versions?locale=en");

        var answer = await client.PostAsJsonAsync("/api/admin/templates/welcome/versions", new
        {
            locale = "en",
            subject = "Hello\u0000",
            html = "<p>Hello @Model.Username</p>",
            text = "Hello @Model.Username",
            activate = false,
        });

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await client.GetStringAsync("/api/admin/templates/welcome/versions?locale=en"));
    }

    [Fact]
    public async Task A_bare_error_status_still_has_a_title()
    {
        var answer = await app.AdminClient().DeleteAsync("/api/admin/audit");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, answer.StatusCode);
        Assert.Contains("\"title\":\"Method Not Allowed\"", await answer.Content.ReadAsStringAsync());
    }
}
