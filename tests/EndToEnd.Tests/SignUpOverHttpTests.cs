using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using SalesMind.TestSupport;
using Xunit.Abstractions;

namespace SalesMind.EndToEnd.Tests;

/// <summary>
/// The whole path on the running stack: nginx → Identity → outbox → RabbitMQ → Notifier →
/// Postfix → Maildir, then the link back through nginx.
/// </summary>
public sealed class SignUpOverHttpTests(ITestOutputHelper output)
{
    private static readonly TimeSpan MailPatience = TimeSpan.FromSeconds(15);

    private static async Task<string> FollowAsync(string link)
    {
        var response = await FrontDoor.Client.GetAsync(new Uri(link).PathAndQuery);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.Location!.OriginalString;
    }

    [Fact]
    public async Task A_registration_puts_exactly_one_email_in_the_mailbox_and_its_link_verifies_the_account()
    {
        var form = FrontDoor.NewSignup();
        var clock = Stopwatch.StartNew();

        var response = await FrontDoor.RegisterAsync(form);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var mail = Assert.Single(await Mailbox.WaitForAsync(form["email"]!, MailPatience));
        output.WriteLine($"registration to mail in the Maildir: {clock.ElapsedMilliseconds} ms");
        Assert.Equal("Confirm your email address for SalesMind", mail.Subject);

        var link = FrontDoor.VerificationLink(mail);
        Assert.StartsWith($"{Stack.FrontDoor}/api/auth/verify-email/?token=", link);
        Assert.Equal("/email_verified.html", await FollowAsync(link));
        // Mail scanners open links first: a second click is still a success.
        Assert.Equal("/email_verified.html", await FollowAsync(link));

        var identity = new Npgsql.NpgsqlConnectionStringBuilder(Stack.IdentityDatabase).ConnectionString;
        await using var connection = new Npgsql.NpgsqlConnection(identity);
        await connection.OpenAsync();
        await using var query = new Npgsql.NpgsqlCommand("SELECT is_active FROM users WHERE email = $1", connection);
        query.Parameters.Add(new Npgsql.NpgsqlParameter { Value = form["email"]! });
        Assert.Equal(true, await query.ExecuteScalarAsync());

        // Once verified, the user is welcomed, once; and still only one verification email was sent.
        // (Its wording is not checked: admins may be editing the welcome template right now.)
        Assert.Single(await Mailbox.WaitForAsync(form["email"]!, MailPatience, template: "welcome"));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(Mailbox.For(form["email"]!, "email-verification"));
        Assert.Single(Mailbox.For(form["email"]!, "welcome"));
    }

    [Fact]
    public async Task The_fate_of_the_verification_email_flows_back_to_Identity()
    {
        var form = FrontDoor.NewSignup();
        await FrontDoor.RegisterAsync(form);
        await Mailbox.WaitForAsync(form["email"]!, MailPatience);
        var token = await AdminTokenAsync();

        await Eventually.HoldsAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/admin/users/?q={form["username"]}");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using var response = await FrontDoor.Client.SendAsync(request);
            var users = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            var delivery = users.GetProperty("users")[0].GetProperty("email_delivery");
            return delivery.ValueKind == System.Text.Json.JsonValueKind.Object && delivery.GetProperty("status").GetString() is "sent" or "delivered";
        }, TimeSpan.FromSeconds(30), "Identity learned that the verification email was sent");
    }

    /// <summary>An admin token from the stack's own command, as an operator would get one (for a new admin account).</summary>
    internal static async Task<string> AdminTokenAsync() => (await SignedInAdmin.AdminTokenAsync()).Token;

    [Fact]
    public async Task An_expired_link_ends_on_the_expired_page()
    {
        var form = FrontDoor.NewSignup("ja");
        await FrontDoor.RegisterAsync(form);
        var mail = Assert.Single(await Mailbox.WaitForAsync(form["email"]!, MailPatience));
        Assert.Equal("SalesMind メールアドレスの確認をお願いします", mail.Subject);

        await using (var connection = new Npgsql.NpgsqlConnection(Stack.IdentityDatabase))
        {
            await connection.OpenAsync();
            await using var expire = new Npgsql.NpgsqlCommand(
                "UPDATE email_verification_tokens t SET expires_at = now() - interval '1 second' FROM users u WHERE u.id = t.user_id AND u.email = $1",
                connection);
            expire.Parameters.Add(new Npgsql.NpgsqlParameter { Value = form["email"]! });
            Assert.Equal(1, await expire.ExecuteNonQueryAsync());
        }

        Assert.Equal("/email_verification_error.html?reason=expired", await FollowAsync(FrontDoor.VerificationLink(mail)));
    }

    [Fact]
    public async Task Signing_up_again_with_a_verified_address_mails_its_owner_instead()
    {
        var owner = FrontDoor.NewSignup();
        await FrontDoor.RegisterAsync(owner);
        var welcome = Assert.Single(await Mailbox.WaitForAsync(owner["email"]!, MailPatience));
        Assert.Equal("/email_verified.html", await FollowAsync(FrontDoor.VerificationLink(welcome)));
        var intruder = FrontDoor.NewSignup();
        intruder["email"] = owner["email"];

        var response = await FrontDoor.RegisterAsync(intruder);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var notice = Assert.Single(await Mailbox.WaitForAsync(owner["email"]!, MailPatience, template: "account-already-exists"));
        Assert.Equal("Someone tried to sign up for SalesMind with your address", notice.Subject);
    }

    [Fact]
    public async Task The_front_door_serves_the_pages_with_security_headers()
    {
        var response = await FrontDoor.Client.GetAsync("/register.html");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
    }
}
