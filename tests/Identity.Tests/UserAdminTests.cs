using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace SalesMind.Identity.Tests;

[Collection(IdentityCollection.Name)]
public sealed class UserAdminTests(IdentityApp app)
{
    private static async Task<HttpResponseMessage> TokenAsync(HttpClient client)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/token/");
        request.Headers.Add("X-CSRF", "1");
        return await client.SendAsync(request);
    }

    /// <summary>A client carrying an admin bearer token obtained the way an admin gets one: log in, ask.</summary>
    private async Task<HttpClient> AdminClientAsync()
    {
        var admin = await app.VerifiedUserAsync(admin: true);
        var session = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(session, admin["username"]!, admin["password"]!)).StatusCode);
        var token = await (await TokenAsync(session)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Bearer", token.GetProperty("token_type").GetString());
        var client = app.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("access_token").GetString());
        return client;
    }

    [Fact]
    public async Task Only_a_signed_in_admin_gets_a_bearer_token()
    {
        var user = await app.VerifiedUserAsync();
        var session = app.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await TokenAsync(session)).StatusCode);
        await IdentityApp.LoginAsync(session, user["username"]!, user["password"]!);

        Assert.Equal(HttpStatusCode.Forbidden, (await TokenAsync(session)).StatusCode);
    }

    [Fact]
    public async Task Admins_find_users_with_their_verification_state_and_profile_page_by_page()
    {
        var admin = await AdminClientAsync();
        var pending = IdentityApp.NewSignup();
        await app.RegisterAsync(pending);

        var found = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/users/?q={pending["username"]}");
        var user = Assert.Single(found.GetProperty("users").EnumerateArray());
        Assert.Equal(pending["email"], user.GetProperty("email").GetString());
        Assert.Equal(JsonValueKind.Null, user.GetProperty("email_verified_at").ValueKind);
        Assert.Equal("software", user.GetProperty("profile").GetProperty("industry").GetString());

        var firstPage = await admin.GetFromJsonAsync<JsonElement>("/api/admin/users/?limit=2");
        Assert.Equal(2, firstPage.GetProperty("users").GetArrayLength());
        var next = firstPage.GetProperty("next").GetString();
        var secondPage = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/users/?limit=2&after={next}");
        var firstIds = firstPage.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("id").GetString()).ToHashSet();
        Assert.DoesNotContain(secondPage.GetProperty("users").EnumerateArray(), u => firstIds.Contains(u.GetProperty("id").GetString()));
        var unverified = await admin.GetFromJsonAsync<JsonElement>("/api/admin/users/?verified=false&limit=200");
        Assert.All(unverified.GetProperty("users").EnumerateArray(), u => Assert.Equal(JsonValueKind.Null, u.GetProperty("email_verified_at").ValueKind));
    }

    [Fact]
    public async Task The_newest_delivery_report_for_an_address_shows_in_the_users_api_whatever_the_arrival_order()
    {
        var admin = await AdminClientAsync();
        var form = IdentityApp.NewSignup();
        await app.RegisterAsync(form);
        var bus = app.Services.GetRequiredService<MassTransit.IBus>();
        var delivery = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;

        await bus.Publish(new SalesMind.Contracts.EmailDeliveryStatusChanged(
            delivery, Guid.NewGuid(), "email-verification", form["email"]!, "failed", "550 5.1.1 no such user", 1, now));
        await bus.Publish(new SalesMind.Contracts.EmailDeliveryStatusChanged(
            delivery, Guid.NewGuid(), "email-verification", form["email"]!, "queued", null, 0, now.AddSeconds(-5)));

        JsonElement user = default;
        await SalesMind.TestSupport.Eventually.HoldsAsync(async () =>
        {
            user = (await admin.GetFromJsonAsync<JsonElement>($"/api/admin/users/?q={form["username"]}")).GetProperty("users")[0];
            return user.GetProperty("email_delivery").ValueKind == JsonValueKind.Object;
        }, TimeSpan.FromSeconds(30), "the delivery report consumed");
        await Task.Delay(1000);
        user = (await admin.GetFromJsonAsync<JsonElement>($"/api/admin/users/?q={form["username"]}")).GetProperty("users")[0];
        Assert.Equal("failed", user.GetProperty("email_delivery").GetProperty("status").GetString());
        Assert.Equal("550 5.1.1 no such user", user.GetProperty("email_delivery").GetProperty("diagnostic").GetString());
    }

    [Fact]
    public async Task Admins_resend_a_verification_and_deactivate_an_account()
    {
        var admin = await AdminClientAsync();
        var pending = IdentityApp.NewSignup();
        await app.RegisterAsync(pending);
        var id = (await admin.GetFromJsonAsync<JsonElement>($"/api/admin/users/?q={pending["username"]}"))
            .GetProperty("users")[0].GetProperty("id").GetString();

        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/admin/users/{id}/resend-verification", null)).StatusCode);
        Assert.Equal(2, (await app.EventsAsync("UserRegistered", pending["email"]!)).Count);

        var verified = await app.VerifiedUserAsync();
        var session = app.Client();
        await IdentityApp.LoginAsync(session, verified["username"]!, verified["password"]!);
        var verifiedId = (await admin.GetFromJsonAsync<JsonElement>($"/api/admin/users/?q={verified["username"]}"))
            .GetProperty("users")[0].GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/admin/users/{verifiedId}/resend-verification", null)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/admin/users/{verifiedId}/deactivate", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await session.GetAsync("/api/auth/me/")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await IdentityApp.LoginAsync(app.Client(), verified["username"]!, verified["password"]!)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/admin/users/{Guid.NewGuid()}/deactivate", null)).StatusCode);
    }
}
