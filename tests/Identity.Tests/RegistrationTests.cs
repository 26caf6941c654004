using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SalesMind.Identity.Tests;

[Collection(IdentityCollection.Name)]
public sealed class RegistrationTests(IdentityApp app)
{
    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string FieldError(JsonElement problem, string field) =>
        problem.GetProperty("errors").GetProperty(field)[0].GetString()!;

    [Fact]
    public async Task A_sign_up_stores_an_inactive_user_profile_hashed_token_and_UserRegistered_in_one_go()
    {
        var form = IdentityApp.NewSignup();

        var response = await app.RegisterAsync(form);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(form["email"], body.GetProperty("email").GetString());
        Assert.Equal("verification_email_sent", body.GetProperty("status").GetString());

        var db = app.Database;
        var email = form["email"]!;
        Assert.False(await db.ScalarAsync<bool>("SELECT is_active FROM users WHERE email = $1", email));
        Assert.Equal("software", await db.ScalarAsync<string>(
            "SELECT p.industry FROM user_profiles p JOIN users u ON u.id = p.user_id WHERE u.email = $1", email));
        Assert.Equal("1_to_3_years", await db.ScalarAsync<string>(
            "SELECT p.sales_experience FROM user_profiles p JOIN users u ON u.id = p.user_id WHERE u.email = $1", email));
        var password = await db.ScalarAsync<string>("SELECT password_hash FROM users WHERE email = $1", email);
        Assert.DoesNotContain(form["password"]!, password);

        var registered = Assert.Single(await app.EventsAsync("UserRegistered", email));
        var url = registered.GetProperty("verificationUrl").GetString()!;
        Assert.StartsWith($"{IdentityApp.PublicBaseUrl}/api/auth/verify-email/?token=", url);
        Assert.Equal("en", registered.GetProperty("locale").GetString());
        var token = url[(url.IndexOf("token=", StringComparison.Ordinal) + 6)..];
        Assert.Equal(43, token.Length);

        // Only the token's SHA-256 is stored, never the token.
        var storedHash = await db.ScalarAsync<byte[]>(
            "SELECT t.token_hash FROM email_verification_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = $1", email);
        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes(token)), storedHash);
        var lifetime = await db.ScalarAsync<TimeSpan>(
            "SELECT t.expires_at - t.created_at FROM email_verification_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = $1", email);
        Assert.Equal(TimeSpan.FromHours(24), lifetime);
    }

    [Fact]
    public async Task A_form_encoded_sign_up_is_accepted_too()
    {
        var form = IdentityApp.NewSignup();
        form.Remove("sales_experience");
        form.Remove("purpose");

        var response = await app.Client().PostAsync("/api/auth/register/",
            new FormUrlEncodedContent(form.Select(p => new KeyValuePair<string, string>(p.Key, p.Value!))));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Single(await app.EventsAsync("UserRegistered", form["email"]!));
    }

    [Theory]
    [InlineData("username", "", "Enter a username.")]
    [InlineData("username", "ab", "Username must be 3 to 150 characters.")]
    [InlineData("username", "has space", "Username may contain only letters, digits and . + - _.")]
    [InlineData("username", "semi;colon", "Username may contain only letters, digits and . + - _.")]
    [InlineData("username", "alice@mail.test", "A username cannot contain @, so that it is never mistaken for an email address.")]
    [InlineData("username", "alice\uFF20mail.test", "A username cannot contain @, so that it is never mistaken for an email address.")]
    [InlineData("email", "", "Enter an email address.")]
    [InlineData("email", "not-an-email", "Enter a valid email address.")]
    [InlineData("email", "two@@mail.test", "Enter a valid email address.")]
    [InlineData("email", "x<victim@mail.test>", "Enter a valid email address.")]
    [InlineData("email", "victim@mail.test(x)", "Enter a valid email address.")]
    [InlineData("email", "\"a\"@mail.test", "Enter a valid email address.")]
    [InlineData("email", ".dot@mail.test", "Enter a valid email address.")]
    [InlineData("password", "", "Enter a password.")]
    [InlineData("password", "short1!", "Password must be at least 8 characters.")]
    [InlineData("password", "1234567890", "Password cannot be entirely numeric.")]
    [InlineData("password", "password123", "This password is too common.")]
    [InlineData("password", "iloveyou", "This password is too common.")]
    [InlineData("industry", "", "Choose an industry.")]
    [InlineData("industry", "piracy", "Choose a valid industry.")]
    [InlineData("sales_experience", "forever", "Choose a valid sales experience.")]
    [InlineData("locale", "fr", "言語は ja か en を指定してください。")] // an unknown locale cannot choose the language
    public async Task Each_invalid_field_gets_its_own_message(string field, string value, string message)
    {
        var form = IdentityApp.NewSignup();
        form[field] = value;

        var response = await app.RegisterAsync(form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal(message, FieldError(problem, field));
        Assert.Single(problem.GetProperty("errors").EnumerateObject());
        Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM users WHERE email = $1", form["email"]!));
    }

    [Fact]
    public async Task A_password_close_to_the_username_is_refused()
    {
        var form = IdentityApp.NewSignup();
        form["username"] = $"takahashi{Guid.NewGuid():N}"[..20];
        form["password"] = form["username"]!.ToUpperInvariant() + "1";

        var problem = await ProblemAsync(await app.RegisterAsync(form));

        Assert.Equal("Password is too similar to the username.", FieldError(problem, "password"));
    }

    [Fact]
    public async Task A_purpose_over_500_characters_is_refused()
    {
        var form = IdentityApp.NewSignup();
        form["purpose"] = new string('あ', 501);

        var problem = await ProblemAsync(await app.RegisterAsync(form));

        Assert.Equal("Purpose must be at most 500 characters.", FieldError(problem, "purpose"));
    }

    [Fact]
    public async Task Messages_are_in_Japanese_by_default_and_every_bad_field_is_reported()
    {
        var response = await app.RegisterAsync(new Dictionary<string, string?>
        {
            ["username"] = "x", ["email"] = "nope", ["password"] = "123", ["industry"] = null,
        });

        var problem = await ProblemAsync(response);
        Assert.Equal("ユーザー名は3〜150文字で入力してください。", FieldError(problem, "username"));
        Assert.Equal("有効なメールアドレスを入力してください。", FieldError(problem, "email"));
        Assert.Equal("パスワードは8文字以上にしてください。", FieldError(problem, "password"));
        Assert.Equal("業種を選択してください。", FieldError(problem, "industry"));
    }

    [Fact]
    public async Task An_unknown_field_is_named_in_a_400()
    {
        var form = IdentityApp.NewSignup();
        form["is_admin"] = "true";

        var response = await app.RegisterAsync(form);

        var problem = await ProblemAsync(response);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Equal("This field is not accepted.", FieldError(problem, "is_admin"));
    }

    [Theory]
    [InlineData("{\"username\": ", "application/json", 400, "not valid JSON")]
    [InlineData("[1, 2, 3]", "application/json", 400, "must be a JSON object")]
    [InlineData("username=a", "text/plain", 415, "application/json")]
    public async Task A_body_that_is_not_a_form_gets_a_clear_problem(string body, string contentType, int status, string detail)
    {
        var response = await app.Client().PostAsync("/api/auth/register/", new StringContent(body, Encoding.UTF8, contentType));

        Assert.Equal(status, (int)response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Contains(detail, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_oversized_body_is_a_400_not_a_crash()
    {
        var form = IdentityApp.NewSignup();
        form["purpose"] = new string('x', 100_000);

        var response = await app.RegisterAsync(form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Contains("larger than", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Control_characters_are_refused_before_they_reach_the_database()
    {
        var form = IdentityApp.NewSignup();
        form["purpose"] = "nul \0 inside";

        var problem = await ProblemAsync(await app.RegisterAsync(form));

        Assert.Equal("Contains characters that are not allowed.", FieldError(problem, "purpose"));
    }

    [Fact]
    public async Task A_taken_username_is_a_409_with_a_field_message_whatever_its_case()
    {
        var first = IdentityApp.NewSignup();
        Assert.Equal(HttpStatusCode.Accepted, (await app.RegisterAsync(first)).StatusCode);
        var second = IdentityApp.NewSignup();
        second["username"] = first["username"]!.ToUpperInvariant();

        var response = await app.RegisterAsync(second);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal("This username is already taken.", FieldError(problem, "username"));
        Assert.Empty(await app.EventsAsync("UserRegistered", second["email"]!));
    }

    [Fact]
    public async Task A_verified_address_signed_up_again_answers_like_a_new_sign_up_and_tells_the_owner_once_an_hour()
    {
        var first = IdentityApp.NewSignup();
        var firstResponse = await app.RegisterAsync(first);
        var link = (await app.EventsAsync("UserRegistered", first["email"]!))[0].GetProperty("verificationUrl").GetString()!;
        await app.Client().GetAsync(link[IdentityApp.PublicBaseUrl.Length..]);
        var second = IdentityApp.NewSignup();
        second["email"] = first["email"]!.ToUpperInvariant();

        var secondResponse = await app.RegisterAsync(second);
        var thirdResponse = await app.RegisterAsync(second);

        Assert.Equal(HttpStatusCode.Accepted, secondResponse.StatusCode);
        Assert.Equal(
            (await firstResponse.Content.ReadAsStringAsync()).Replace(first["email"]!, "ADDRESS", StringComparison.Ordinal),
            (await secondResponse.Content.ReadAsStringAsync()).Replace(second["email"]!, "ADDRESS", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Accepted, thirdResponse.StatusCode);

        Assert.Equal(1, await app.Database.ScalarAsync<long>("SELECT count(*) FROM users WHERE normalized_email = lower($1)", first["email"]!));
        Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM users WHERE username = $1", second["username"]!));
        var notice = Assert.Single(await app.EventsAsync("AccountAlreadyExists", first["email"]!));
        Assert.Equal(first["username"], notice.GetProperty("username").GetString());
        Assert.Equal($"{IdentityApp.PublicBaseUrl}/login.html", notice.GetProperty("loginUrl").GetString());
        Assert.Single(await app.EventsAsync("UserRegistered", first["email"]!));
    }

    [Fact]
    public async Task An_unverified_address_signed_up_again_is_contested_and_its_newest_link_asks_for_credentials()
    {
        var first = IdentityApp.NewSignup();
        await app.RegisterAsync(first);
        var second = IdentityApp.NewSignup("ja");
        second["email"] = first["email"];
        second["password"] = "Another-Secret-4410";

        Assert.Equal(HttpStatusCode.Accepted, (await app.RegisterAsync(second)).StatusCode);
        // Within the hour no more mail goes out, whoever asks.
        var third = IdentityApp.NewSignup();
        third["email"] = first["email"];
        Assert.Equal(HttpStatusCode.Accepted, (await app.RegisterAsync(third)).StatusCode);

        var events = await app.EventsAsync("UserRegistered", first["email"]!);
        Assert.Equal(2, events.Count);
        Assert.Equal("ja", events[1].GetProperty("locale").GetString());
        Assert.Empty(await app.EventsAsync("AccountAlreadyExists", first["email"]!));
        Assert.Equal(1, await app.Database.ScalarAsync<long>("SELECT count(*) FROM users WHERE normalized_email = lower($1)", first["email"]!));
        // The newcomers' names and passwords are not stored anywhere.
        Assert.Equal(0, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM users WHERE username = $1 OR username = $2", second["username"]!, third["username"]!));

        // Both links now lead to choosing a username and password: neither activates a typed one.
        var client = app.Client();
        foreach (var link in events.Select(e => e.GetProperty("verificationUrl").GetString()!))
        {
            Assert.StartsWith("/reset_password.html?token=",
                (await client.GetAsync(link[IdentityApp.PublicBaseUrl.Length..])).Headers.Location!.OriginalString);
        }
    }

    [Fact]
    public async Task A_taken_username_is_a_409_even_with_an_address_that_has_an_account()
    {
        // Otherwise 202-or-409 would tell whether that address belongs to that username.
        var first = IdentityApp.NewSignup();
        await app.RegisterAsync(first);
        var probe = IdentityApp.NewSignup();
        probe["username"] = first["username"];
        probe["email"] = first["email"];
        probe["password"] = "Guessed-Wrong-5512";

        Assert.Equal(HttpStatusCode.Conflict, (await app.RegisterAsync(probe)).StatusCode);
    }

    [Fact]
    public async Task Copies_of_one_sign_up_arriving_together_all_get_202_and_make_one_account()
    {
        var form = IdentityApp.NewSignup();

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => app.RegisterAsync(form)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.Equal(1, await app.Database.ScalarAsync<long>("SELECT count(*) FROM users WHERE email = $1", form["email"]!));
        Assert.Single(await app.EventsAsync("UserRegistered", form["email"]!));
    }

    [Fact]
    public async Task A_sign_up_retried_after_its_answer_was_lost_gets_the_same_202_and_nothing_twice()
    {
        var form = IdentityApp.NewSignup();
        var first = await app.RegisterAsync(form);

        var retry = await app.RegisterAsync(form);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Single(await app.EventsAsync("UserRegistered", form["email"]!));
        Assert.Empty(await app.EventsAsync("AccountAlreadyExists", form["email"]!));
    }

    [Fact]
    public async Task Parallel_sign_ups_with_one_verified_address_mail_its_owner_once()
    {
        var first = IdentityApp.NewSignup();
        await app.RegisterAsync(first);
        var link = (await app.EventsAsync("UserRegistered", first["email"]!))[0].GetProperty("verificationUrl").GetString()!;
        await app.Client().GetAsync(link[IdentityApp.PublicBaseUrl.Length..]);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
        {
            var again = IdentityApp.NewSignup();
            again["email"] = first["email"];
            return app.RegisterAsync(again);
        }));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        Assert.Single(await app.EventsAsync("AccountAlreadyExists", first["email"]!));
    }

    [Fact]
    public async Task Industries_and_sales_experiences_are_served_in_both_languages()
    {
        var body = await app.Client().GetFromJsonAsync<JsonElement>("/api/auth/industries/");

        var industries = body.GetProperty("industries").EnumerateArray().ToList();
        Assert.Contains(industries, i => i.GetProperty("value").GetString() == "software");
        Assert.All(industries, i =>
        {
            Assert.False(string.IsNullOrEmpty(i.GetProperty("labels").GetProperty("ja").GetString()));
            Assert.False(string.IsNullOrEmpty(i.GetProperty("labels").GetProperty("en").GetString()));
        });
        Assert.NotEmpty(body.GetProperty("sales_experiences").EnumerateArray());
    }

    [Fact]
    public async Task Health_endpoints_answer()
    {
        var client = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        await SalesMind.TestSupport.Eventually.HoldsAsync(
            async () => (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "ready: database and broker reachable");
        var report = await client.GetFromJsonAsync<JsonElement>("/health/ready");
        var checks = report.GetProperty("checks").EnumerateObject().Select(c => c.Name).ToList();
        Assert.Contains("database", checks);
        Assert.Contains(checks, c => c.StartsWith("masstransit", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Unknown_routes_and_methods_answer_with_problem_details()
    {
        var client = app.Client();
        var missing = await client.GetAsync("/api/auth/nothing-here/");
        var wrongMethod = await client.GetAsync("/api/auth/register/");

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        await ProblemAsync(missing);
        await ProblemAsync(wrongMethod);
    }
}

/// <summary>The browser that signed up learns when its address could not be reached; nobody else learns anything.</summary>
[Collection(IdentityCollection.Name)]
public sealed class MailReceiptTests(IdentityApp app)
{
    private static async Task<string?> StateAsync(HttpClient browser) =>
        (await browser.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/auth/email-status/")).GetProperty("state").GetString();

    [Fact]
    public async Task Only_the_browser_that_signed_up_is_told_its_address_bounced()
    {
        var browser = app.Client();
        var form = IdentityApp.NewSignup();
        var response = await browser.PostAsJsonAsync("/api/auth/register/", form);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("sm_mail=", StringComparison.Ordinal) && c.Contains("httponly", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("pending", await StateAsync(browser));

        // The Notifier reports the verification email bounced.
        var messageId = await app.Database.ScalarAsync<Guid>(
            "SELECT message_id FROM outbox_message WHERE message_type = 'SalesMind.Contracts.UserRegistered' AND lower(body->>'email') = lower($1)", form["email"]!);
        await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<MassTransit.IBus>(app.Services).Publish(new SalesMind.Contracts.EmailDeliveryStatusChanged(
            Guid.NewGuid(), messageId, "email-verification", form["email"]!, "bounced", "5.1.1 simulated hard bounce", 1, DateTimeOffset.UtcNow));

        await SalesMind.TestSupport.Eventually.HoldsAsync(async () => await StateAsync(browser) == "unreachable", TimeSpan.FromSeconds(20), "the browser is told");
        var told = await browser.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/auth/email-status/");
        Assert.Equal("5.1.1", told.GetProperty("detail").GetString());

        // Another browser signing up with the same address gets a receipt too, the same 202, and no news.
        var other = app.Client();
        var again = IdentityApp.NewSignup();
        again["email"] = form["email"];
        var second = await other.PostAsJsonAsync("/api/auth/register/", again);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, second.StatusCode);
        Assert.Contains(second.Headers.GetValues("Set-Cookie"), c => c.StartsWith("sm_mail=", StringComparison.Ordinal));
        Assert.Equal("pending", await StateAsync(other));
        Assert.Equal("unknown", await StateAsync(app.Client()));
    }

    /// <summary>
    /// A failure the receiving provider caused (throttled, auth) is ours, not the address's: the
    /// browser is told "delayed", never to check its address for typos. Reports without a class
    /// (older events) and address failures stay "unreachable"; a suppression always is.
    /// </summary>
    [Theory]
    [InlineData("bounced", "throttled", "550 5.7.1 blocked by policy", "delayed", "5.7.1")]
    [InlineData("failed", "auth", "550 5.7.26 unauthenticated mail is prohibited", "delayed", "5.7.26")]
    [InlineData("abandoned", "throttled", "421 4.7.0 too many connections", "delayed", "4.7.0")]
    [InlineData("bounced", "hard", "550 5.1.1 no such user", "unreachable", "5.1.1")]
    [InlineData("bounced", "soft", "552 5.2.2 mailbox full", "unreachable", "5.2.2")]
    [InlineData("bounced", "unknown", "550 5.0.0 something", "unreachable", "5.0.0")]
    [InlineData("bounced", null, "550 5.7.1 blocked by policy", "unreachable", "5.7.1")]
    [InlineData("suppressed", "throttled", null, "unreachable", null)]
    public async Task The_browser_is_told_whose_problem_a_failure_was(string status, string? failureClass, string? diagnostic, string expected, string? code)
    {
        var browser = app.Client();
        var form = IdentityApp.NewSignup();
        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await browser.PostAsJsonAsync("/api/auth/register/", form)).StatusCode);
        var messageId = await app.Database.ScalarAsync<Guid>(
            "SELECT message_id FROM outbox_message WHERE message_type = 'SalesMind.Contracts.UserRegistered' AND lower(body->>'email') = lower($1)", form["email"]!);

        await PublishAsync(new SalesMind.Contracts.EmailDeliveryStatusChanged(
            Guid.NewGuid(), messageId, "email-verification", form["email"]!, status, diagnostic, 1, DateTimeOffset.UtcNow, failureClass));

        await SalesMind.TestSupport.Eventually.HoldsAsync(async () => await StateAsync(browser) == expected, TimeSpan.FromSeconds(20), $"the browser is told {expected}");
        var told = await browser.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/auth/email-status/");
        // Only ever the enhanced status code, never the other server's words.
        Assert.Equal(code, told.GetProperty("detail").GetString());
        Assert.Equal(failureClass, await app.Database.ScalarAsync<string>(
            "SELECT failure_class FROM email_message_states WHERE source_message_id = $1", messageId));
        Assert.Equal(failureClass, await app.Database.ScalarAsync<string>(
            "SELECT failure_class FROM email_address_states WHERE normalized_email = lower($1)", form["email"]!));
    }

    [Fact]
    public async Task A_later_report_replaces_the_class_and_a_forged_class_is_not_kept()
    {
        var browser = app.Client();
        var form = IdentityApp.NewSignup();
        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await browser.PostAsJsonAsync("/api/auth/register/", form)).StatusCode);
        var messageId = await app.Database.ScalarAsync<Guid>(
            "SELECT message_id FROM outbox_message WHERE message_type = 'SalesMind.Contracts.UserRegistered' AND lower(body->>'email') = lower($1)", form["email"]!);
        var deliveryId = Guid.NewGuid();
        var at = DateTimeOffset.UtcNow;

        // A word no Notifier sends (and too long for the column) is dropped: the failure reads as unclassified.
        await PublishAsync(new SalesMind.Contracts.EmailDeliveryStatusChanged(
            deliveryId, messageId, "email-verification", form["email"]!, "bounced", "550 5.7.1 blocked", 1, at, "throttled-but-not-really-a-class"));
        await SalesMind.TestSupport.Eventually.HoldsAsync(async () => await StateAsync(browser) == "unreachable", TimeSpan.FromSeconds(20), "an unknown class is not ours to excuse");
        Assert.Null(await app.Database.ScalarAsync<string>("SELECT failure_class FROM email_message_states WHERE source_message_id = $1", messageId));

        // The newer report wins, class and all; an older one arriving late changes nothing.
        await PublishAsync(new SalesMind.Contracts.EmailDeliveryStatusChanged(
            deliveryId, messageId, "email-verification", form["email"]!, "bounced", "550 5.7.1 blocked by policy", 1, at.AddSeconds(2), "THROTTLED"));
        await SalesMind.TestSupport.Eventually.HoldsAsync(async () => await StateAsync(browser) == "delayed", TimeSpan.FromSeconds(20), "the newer report is kept");
        var stale = Guid.NewGuid();
        await PublishAsync(new SalesMind.Contracts.EmailDeliveryStatusChanged(
            deliveryId, messageId, "email-verification", form["email"]!, "failed", "550 5.1.1 no such user", 1, at.AddSeconds(1), "hard"), stale);
        // The inbox row is written in the consumer's transaction: once it shows, the stale report was handled.
        await SalesMind.TestSupport.Eventually.HoldsAsync(async () => await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM inbox_message WHERE message_id = $1", stale) == 1, TimeSpan.FromSeconds(20), "the stale report is handled");
        Assert.Equal("delayed", await StateAsync(browser));
        Assert.Equal("throttled", await app.Database.ScalarAsync<string>("SELECT failure_class FROM email_message_states WHERE source_message_id = $1", messageId));
    }

    private Task PublishAsync(SalesMind.Contracts.EmailDeliveryStatusChanged message, Guid? messageId = null) =>
        Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<MassTransit.IBus>(app.Services)
            .Publish(message, MassTransit.Pipe.Execute<MassTransit.PublishContext<SalesMind.Contracts.EmailDeliveryStatusChanged>>(
                context => context.MessageId = messageId ?? Guid.NewGuid()));
}
