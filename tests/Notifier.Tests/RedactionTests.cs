using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SalesMind.Contracts;
using SalesMind.ServiceDefaults;
using SalesMind.TestSupport;
using static SalesMind.Notifier.Tests.NotifierApp;
using SalesMind.Notifier.Admin;

namespace SalesMind.Notifier.Tests;

/// <summary>
/// An operator (or whoever holds an admin token, a log or a backup) tries to lift a working
/// account link out of the Notifier; and a stolen admin token tries to use test send as a relay.
/// </summary>
[Collection(NotifierCollection.Name)]
public sealed class RedactionTests(NotifierApp app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static string NewToken() => Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray())
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private Task<string?> StatusAsync(string recipient) =>
        app.Database.ScalarAsync<string>("SELECT status FROM deliveries WHERE recipient = $1", recipient);

    /// <summary>Everything the database keeps of one recipient's deliveries, as text (what a backup shows).</summary>
    private Task<string?> StoredAsync(string recipient) =>
        app.Database.ScalarAsync<string>("SELECT string_agg(d::text, ' ') FROM deliveries d WHERE recipient = $1", recipient);

    [Fact]
    public async Task A_reset_link_is_mailed_working_but_never_stored_or_shown_live()
    {
        var to = Stack.NewMailbox("redact-reset");
        var token = NewToken();

        await app.PublishAsync(new PasswordResetRequested(Guid.NewGuid(), "taro", to, "en",
            $"https://salesmind.example/reset_password.html?token={token}", DateTimeOffset.UtcNow.AddHours(1), DateTimeOffset.UtcNow), Guid.NewGuid());

        // The user gets the working link.
        var mail = Assert.Single(await Mailbox.WaitForAsync(to, Patience));
        Assert.Contains($"reset_password.html?token={token}", mail.TextBody);
        Assert.Contains($"reset_password.html?token={token}", mail.HtmlBody);
        await Eventually.HoldsAsync(async () => await StatusAsync(to) is "sent" or "delivered", Patience, "delivery handed over");

        // The admin API shows the email with the link redacted.
        var id = await app.Database.ScalarAsync<Guid>("SELECT id FROM deliveries WHERE recipient = $1", to);
        var body = await (await app.AdminClient().GetAsync($"/api/admin/deliveries/{id}?include=body")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(token, body);
        Assert.Contains("reset_password.html?token=[redacted]", body);

        // Nothing in the row keeps it, sealed or not: the sealed copy went with the hand-over.
        Assert.DoesNotContain(token, await StoredAsync(to));
        Assert.Equal(0L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM deliveries WHERE recipient = $1 AND sealed_body IS NOT NULL", to));
        Assert.True(await app.Database.ScalarAsync<bool>("SELECT links_redacted FROM deliveries WHERE recipient = $1", to));
    }

    [Fact]
    public async Task A_test_send_with_a_real_link_in_its_data_is_stored_redacted_too()
    {
        var to = Stack.NewMailbox("redact-test-send");
        var token = NewToken();

        var accepted = await JsonAsync(await app.AdminClient().PostAsJsonAsync("/api/admin/templates/email-verification/test-send",
            new { to, locale = "en", data = new Dictionary<string, string> { ["VerificationUrl"] = $"https://salesmind.example/api/auth/verify-email/?token={token}" } }),
            HttpStatusCode.Accepted);

        var mail = Assert.Single(await Mailbox.WaitForAsync(to, Patience));
        Assert.Contains($"verify-email/?token={token}", mail.TextBody);
        var id = accepted.GetProperty("delivery_id").GetGuid();
        await Eventually.HoldsAsync(async () => await StatusAsync(to) is "sent" or "delivered", Patience, "test send handed over");
        Assert.DoesNotContain(token, await (await app.AdminClient().GetAsync($"/api/admin/deliveries/{id}?include=body")).Content.ReadAsStringAsync());
        Assert.DoesNotContain(token, await StoredAsync(to));
    }

    [Fact]
    public async Task A_waiting_verification_email_keeps_its_link_only_sealed()
    {
        // Deferred by the mail server: the dispatcher still needs the link, and keeps it only sealed.
        var to = $"later-{Guid.NewGuid():N}@tempfail.test";
        var token = NewToken();

        await app.PublishAsync(new UserRegistered(Guid.NewGuid(), "hanako", to, "en", $"https://salesmind.example/api/auth/verify-email/?token={token}",
            DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow), Guid.NewGuid());

        await Eventually.HoldsAsync(async () => await StatusAsync(to) == "deferred", Patience, "delivery deferred");
        Assert.DoesNotContain(token, await StoredAsync(to));
        Assert.Equal(1L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM deliveries WHERE recipient = $1 AND sealed_body IS NOT NULL", to));
    }

    [Fact]
    public async Task A_failed_email_with_a_link_is_not_sent_again_with_a_dead_link()
    {
        var to = $"nobody-{Guid.NewGuid():N}@reject.test";
        var token = NewToken();
        await app.PublishAsync(new UserRegistered(Guid.NewGuid(), "hanako", to, "en", $"https://salesmind.example/api/auth/verify-email/?token={token}",
            DateTimeOffset.UtcNow.AddDays(1), DateTimeOffset.UtcNow), Guid.NewGuid());
        await Eventually.HoldsAsync(async () => await StatusAsync(to) == "failed", Patience, "delivery failed");
        var id = await app.Database.ScalarAsync<Guid>("SELECT id FROM deliveries WHERE recipient = $1", to);

        var retry = await JsonAsync(await app.AdminClient().PostAsync($"/api/admin/deliveries/{id}/retry", null), HttpStatusCode.Conflict);

        Assert.Equal("Needs a new link", retry.GetProperty("title").GetString());
        Assert.Contains("new one", retry.GetProperty("detail").GetString());
        Assert.Equal("failed", await StatusAsync(to));
        Assert.DoesNotContain(token, await StoredAsync(to));
    }

    [Fact]
    public async Task The_outbox_admin_api_never_shows_a_live_link_of_a_dead_letter()
    {
        var token = NewToken();
        var id = await app.Database.ScalarAsync<long>($$"""
            INSERT INTO outbox_message (message_id, message_type, body, created_at, available_at, attempts, last_error, dead_lettered_at)
            VALUES (gen_random_uuid(), 'SalesMind.Contracts.UserRegistered',
                    '{"verificationUrl":"https://salesmind.example/api/auth/verify-email/?token=[redacted]"}', now(), now(), 5,
                    'JsonException: bad value near "https://salesmind.example/api/auth/verify-email/?token={{token}}"', now())
            RETURNING id
            """);

        var listing = await (await app.AdminClient().GetAsync("/api/admin/outbox/dead-letters?limit=1000")).Content.ReadAsStringAsync();
        Assert.Contains($"\"id\":{id},", listing);
        Assert.DoesNotContain(token, listing);

        // Publishing it again would mail a dead link: refused, with what to do instead.
        var retry = await JsonAsync(await app.AdminClient().PostAsync($"/api/admin/outbox/dead-letters/{id}/retry", null), HttpStatusCode.Conflict);
        Assert.Equal("Needs a new link", retry.GetProperty("title").GetString());
        Assert.NotNull(await app.Database.ScalarAsync<DateTime?>("SELECT dead_lettered_at FROM outbox_message WHERE id = $1", id));
    }

    [Theory]
    [InlineData("victim@gmail.com")]
    [InlineData("ceo@mail.test.attacker.example")]
    [InlineData("someone@sub.mail.test")]
    public async Task A_test_send_outside_the_allowed_domains_is_refused_naming_to(string to)
    {
        var response = await app.AdminClient().PostAsJsonAsync("/api/admin/templates/welcome/test-send", new { to, locale = "en" });

        var problem = await JsonAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("mail.test", problem.GetProperty("errors").GetProperty("to")[0].GetString());
        Assert.Equal(0L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM deliveries WHERE recipient = $1", to));
    }

    [Fact]
    public async Task An_admin_may_test_send_to_their_own_address_outside_the_allowed_domains()
    {
        var own = $"admin-{Guid.NewGuid():N}@team.example";
        using var client = ClientFor($"own-{Guid.NewGuid():N}", own);

        await JsonAsync(await client.PostAsJsonAsync("/api/admin/templates/welcome/test-send", new { to = own.ToUpperInvariant(), locale = "en" }), HttpStatusCode.Accepted);
        // Not someone else's at the same domain.
        await JsonAsync(await client.PostAsJsonAsync("/api/admin/templates/welcome/test-send", new { to = $"other-{Guid.NewGuid():N}@team.example", locale = "en" }), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Parallel_test_sends_beyond_the_hourly_limit_get_429_with_retry_after()
    {
        var limit = app.Services.GetRequiredService<IOptions<TestSendOptions>>().Value.TestSendsPerHour;
        var actor = $"burst-{Guid.NewGuid():N}";
        // This admin has already used all but three of the hour's test sends.
        await app.Database.ExecuteAsync($"""
            INSERT INTO audit_entries (at, actor, action, target)
            SELECT now() - interval '30 minutes', $1, '{TemplateEndpoints.TestSentAction}', 'template:welcome/en' FROM generate_series(1, {limit - 3})
            """, actor);
        using var client = ClientFor(actor, null);

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ =>
            client.PostAsJsonAsync("/api/admin/templates/welcome/test-send", new { to = Stack.NewMailbox("burst"), locale = "en" })));

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Accepted));
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(9, refused.Count);
        foreach (var response in refused)
        {
            var seconds = response.Headers.RetryAfter?.Delta?.TotalSeconds;
            Assert.True(seconds is > 0 and <= 3600, $"Retry-After {seconds}");
            var problem = await JsonAsync(response, HttpStatusCode.TooManyRequests);
            Assert.Equal("Too many test sends", problem.GetProperty("title").GetString());
        }

        // Another admin is not held back by this one's sends.
        await JsonAsync(await app.AdminClient().PostAsJsonAsync("/api/admin/templates/welcome/test-send", new { to = Stack.NewMailbox("other-admin"), locale = "en" }), HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task The_API_reference_runs_no_inline_script()
    {
        var response = await app.CreateClient().GetAsync("/docs/");
        var page = await response.Content.ReadAsStringAsync();

        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        var scriptSrc = policy.Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("script-src ", StringComparison.Ordinal));
        Assert.DoesNotContain("'unsafe-inline'", scriptSrc);
        Assert.DoesNotContain("'unsafe-eval'", scriptSrc);
        // Every <script> is a file or a JSON data block (which a browser never runs).
        var scripts = System.Text.RegularExpressions.Regex.Matches(page, "<script[^>]*>").Select(m => m.Value).ToList();
        Assert.NotEmpty(scripts);
        Assert.All(scripts, tag => Assert.True(tag.Contains("src=", StringComparison.Ordinal) || tag.Contains("type=\"application/json\"", StringComparison.Ordinal), tag));
        Assert.Contains("openapi/v1.json", page);
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().GetAsync("/docs/init.js")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().GetAsync("/docs/scalar.aspnetcore.js")).StatusCode);
    }

    /// <summary>An admin client for <paramref name="subject"/>, whose token names <paramref name="email"/> as its own address.</summary>
    private HttpClient ClientFor(string subject, string? email)
    {
        var token = TestAdminTokens.Mint(Guid.NewGuid(), 0, [AdminAuth.AdminRole], username: subject, email: email ?? $"{subject}@admins.invalid");
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
