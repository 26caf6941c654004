using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SalesMind.Contracts;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Webhooks;
using SalesMind.TestSupport;

namespace SalesMind.Notifier.Tests;

/// <summary>Outcome webhooks end to end: a receiver in the test checks signatures, answers errors, and sees the retries.</summary>
[Collection(NotifierCollection.Name)]
public sealed class WebhookTests(NotifierApp app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected) => NotifierApp.JsonAsync(response, expected);

    private static async Task<(Guid Id, string Secret)> CreateAsync(HttpClient client, string url, params string[] events)
    {
        var created = await JsonAsync(await client.PostAsJsonAsync("/api/admin/webhooks", new { url, description = "test receiver", events }), HttpStatusCode.Created);
        return (created.GetProperty("id").GetGuid(), created.GetProperty("secret").GetString()!);
    }

    private static async Task<JsonElement> LogAsync(HttpClient client, Guid endpoint) =>
        (await JsonAsync(await client.GetAsync($"/api/admin/webhooks/{endpoint}/deliveries?limit=100"), HttpStatusCode.OK)).GetProperty("items");

    private static async Task<JsonElement> WaitForDeliveryAsync(HttpClient client, Guid endpoint, Guid eventId, string status)
    {
        JsonElement? found = null;
        await Eventually.HoldsAsync(async () =>
        {
            found = (await LogAsync(client, endpoint)).EnumerateArray().FirstOrDefault(d => d.GetProperty("event_id").GetGuid() == eventId);
            return found is { ValueKind: JsonValueKind.Object } f && f.GetProperty("status").GetString() == status;
        }, Patience, $"webhook event {eventId} {status}");
        return found!.Value;
    }

    [Fact]
    public async Task A_bounce_to_bounce_test_is_posted_once_as_a_signed_delivery_bounced_event()
    {
        var client = app.AdminClient();
        await using var receiver = new WebhookReceiver();
        var (endpoint, secret) = await CreateAsync(client, receiver.Url, "bounced", "failed");
        try
        {
            var to = $"gone-{Guid.NewGuid():N}@bounce.test";
            var sent = await JsonAsync(await client.PostAsJsonAsync("/api/admin/templates/welcome/test-send", new { to, locale = "en" }), HttpStatusCode.Accepted);
            var deliveryId = sent.GetProperty("delivery_id").GetGuid();

            bool IsOurs(WebhookReceiver.Received r) => r.Json.GetProperty("data").GetProperty("delivery_id").GetGuid() == deliveryId;
            await Eventually.HoldsAsync(() => Task.FromResult(receiver.Requests.Any(IsOurs)), Patience, "the bounce posted to the receiver");
            var post = receiver.Requests.Single(IsOurs);
            var eventId = Guid.Parse(post.EventId!);
            await WaitForDeliveryAsync(client, endpoint, eventId, "succeeded");

            Assert.Equal(WebhookSignatureCheck.Valid, post.Check(secret));
            Assert.Equal(("delivery.bounced", "delivery.bounced"), (post.EventType, post.Json.GetProperty("type").GetString()));
            Assert.Equal(eventId, post.Json.GetProperty("id").GetGuid());
            Assert.StartsWith("SalesMind-Webhooks/", post.UserAgent);
            var data = post.Json.GetProperty("data");
            Assert.Equal((to, "bounced", "welcome"), (data.GetProperty("recipient").GetString(), data.GetProperty("status").GetString(), data.GetProperty("template").GetString()));
            Assert.Contains("5.1.1", data.GetProperty("diagnostic").GetString());
            Assert.Single(receiver.Requests, IsOurs);
            Assert.Single((await LogAsync(client, endpoint)).EnumerateArray(), d => d.GetProperty("event_id").GetGuid() == eventId);

            // What a receiver's check does with a forgery: another secret, an altered body, a replay ten minutes on.
            Assert.Equal(WebhookSignatureCheck.Mismatch, post.Check(WebhookSecrets.Generate()));
            Assert.Equal(WebhookSignatureCheck.Mismatch, WebhookSignature.Verify(post.Signature, secret, post.Body.Replace("bounced", "delivered"), post.At, WebhookSignature.DefaultTolerance));
            Assert.Equal(WebhookSignatureCheck.Expired, post.Check(secret, post.At.AddMinutes(10)));
        }
        finally
        {
            await client.DeleteAsync($"/api/admin/webhooks/{endpoint}");
        }
    }

    [Fact]
    public async Task A_redelivered_status_event_adds_nothing()
    {
        var client = app.AdminClient();
        await using var receiver = new WebhookReceiver();
        var (endpoint, _) = await CreateAsync(client, receiver.Url, "deferred");
        try
        {
            var change = new EmailDeliveryStatusChanged(Guid.NewGuid(), Guid.NewGuid(), "welcome", "slow@example.org", "deferred", "451 4.7.1 try later", 1,
                DateTimeOffset.UtcNow, "throttled");
            var messageId = Guid.NewGuid();
            await app.PublishAsync(change, messageId);
            await app.PublishAsync(change, messageId);
            var marker = Guid.NewGuid();
            await app.PublishAsync(change with { DeliveryId = Guid.NewGuid() }, marker);

            await WaitForDeliveryAsync(client, endpoint, marker, "succeeded");
            await WaitForDeliveryAsync(client, endpoint, messageId, "succeeded");

            Assert.Equal(1L, await app.Database.ScalarAsync<long>(
                "SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = $1 AND event_id = $2", endpoint, messageId));
            Assert.Single(receiver.For(messageId));
            var data = receiver.For(messageId)[0].Json.GetProperty("data");
            Assert.Equal(("deferred", "throttled"), (data.GetProperty("status").GetString(), data.GetProperty("failure_class").GetString()));
        }
        finally
        {
            await client.DeleteAsync($"/api/admin/webhooks/{endpoint}");
        }
    }

    [Fact]
    public async Task A_test_event_answered_500_is_retried_and_the_log_shows_both_attempts()
    {
        var client = app.AdminClient();
        // Each event is refused the first time it comes, accepted the second.
        await using var receiver = new WebhookReceiver((_, seen) => seen == 1 ? 500 : 200);
        var (endpoint, secret) = await CreateAsync(client, receiver.Url, "complained");
        try
        {
            var queued = await JsonAsync(await client.PostAsync($"/api/admin/webhooks/{endpoint}/test", null), HttpStatusCode.Accepted);
            Assert.Equal(("test", "pending"), (queued.GetProperty("event_type").GetString(), queued.GetProperty("status").GetString()));
            var eventId = queued.GetProperty("event_id").GetGuid();

            var done = await WaitForDeliveryAsync(client, endpoint, eventId, "succeeded");

            var attempts = done.GetProperty("attempt_log").EnumerateArray().ToList();
            Assert.Equal([500, 200], attempts.Select(a => a.GetProperty("status_code").GetInt32()));
            Assert.StartsWith("HTTP 500", attempts[0].GetProperty("error").GetString());
            Assert.Equal(JsonValueKind.Null, attempts[1].GetProperty("error").ValueKind);
            var posts = receiver.For(eventId);
            Assert.Equal(2, posts.Count);
            Assert.All(posts, p => Assert.Equal(WebhookSignatureCheck.Valid, p.Check(secret)));
            Assert.All(posts, p => Assert.Equal("test", p.Json.GetProperty("type").GetString()));
            Assert.Equal(endpoint, posts[0].Json.GetProperty("data").GetProperty("endpoint_id").GetGuid());
        }
        finally
        {
            await client.DeleteAsync($"/api/admin/webhooks/{endpoint}");
        }
    }

    [Fact]
    public async Task An_event_that_keeps_failing_ends_failed_and_an_admin_retry_sends_it_again()
    {
        var client = app.AdminClient();
        var up = false;
        await using var receiver = new WebhookReceiver((_, _) => Volatile.Read(ref up) ? 204 : 503);
        var (endpoint, _) = await CreateAsync(client, receiver.Url, "suppressed");
        try
        {
            var eventId = (await JsonAsync(await client.PostAsync($"/api/admin/webhooks/{endpoint}/test", null), HttpStatusCode.Accepted))
                .GetProperty("event_id").GetGuid();
            var failed = await WaitForDeliveryAsync(client, endpoint, eventId, "failed");
            Assert.Equal(3, failed.GetProperty("attempt_log").GetArrayLength()); // Webhooks:MaxAttempts in the tests' settings
            Assert.Equal(503, failed.GetProperty("last_status_code").GetInt32());
            var id = failed.GetProperty("id").GetGuid();

            await JsonAsync(await client.PostAsync($"/api/admin/webhooks/{endpoint}/deliveries/{Guid.NewGuid()}/retry", null), HttpStatusCode.NotFound);
            Volatile.Write(ref up, true);
            var retried = await JsonAsync(await client.PostAsync($"/api/admin/webhooks/{endpoint}/deliveries/{id}/retry", null), HttpStatusCode.OK);
            Assert.Equal("pending", retried.GetProperty("status").GetString());
            var done = await WaitForDeliveryAsync(client, endpoint, eventId, "succeeded");

            Assert.Equal([1, 2, 3, 4], done.GetProperty("attempt_log").EnumerateArray().Select(a => a.GetProperty("number").GetInt32()));
            await JsonAsync(await client.PostAsync($"/api/admin/webhooks/{endpoint}/deliveries/{id}/retry", null), HttpStatusCode.Conflict);
            Assert.Equal(4, receiver.For(eventId).Count);
        }
        finally
        {
            await client.DeleteAsync($"/api/admin/webhooks/{endpoint}");
        }
    }

    [Fact]
    public async Task The_secret_is_shown_once_rotation_replaces_it_and_every_change_is_audited()
    {
        var client = app.AdminClient();
        await using var receiver = new WebhookReceiver();
        var (endpoint, first) = await CreateAsync(client, receiver.Url, "delivered");

        var shown = await client.GetStringAsync($"/api/admin/webhooks/{endpoint}");
        var listed = await client.GetStringAsync("/api/admin/webhooks");
        Assert.DoesNotContain("secret", shown);
        Assert.DoesNotContain(first, listed);

        var rotated = await JsonAsync(await client.PostAsync($"/api/admin/webhooks/{endpoint}/rotate-secret", null), HttpStatusCode.OK);
        var second = rotated.GetProperty("secret").GetString()!;
        Assert.NotEqual(first, second);
        var eventId = (await JsonAsync(await client.PostAsync($"/api/admin/webhooks/{endpoint}/test", null), HttpStatusCode.Accepted)).GetProperty("event_id").GetGuid();
        await WaitForDeliveryAsync(client, endpoint, eventId, "succeeded");
        var post = Assert.Single(receiver.For(eventId));
        Assert.Equal(WebhookSignatureCheck.Valid, post.Check(second));
        Assert.Equal(WebhookSignatureCheck.Mismatch, post.Check(first));

        var updated = await JsonAsync(await client.PutAsJsonAsync($"/api/admin/webhooks/{endpoint}", new { events = new[] { "failed", "bounced" }, enabled = false }), HttpStatusCode.OK);
        Assert.Equal(["bounced", "failed"], updated.GetProperty("events").EnumerateArray().Select(e => e.GetString()));
        Assert.False(updated.GetProperty("enabled").GetBoolean());
        Assert.Equal(receiver.Url, updated.GetProperty("url").GetString());
        var unknown = await JsonAsync(await client.PutAsJsonAsync($"/api/admin/webhooks/{endpoint}", new { events = new[] { "opened" } }), HttpStatusCode.BadRequest);
        Assert.Contains("opened", unknown.GetProperty("errors").GetProperty("events")[0].GetString());

        await JsonAsync(await client.DeleteAsync($"/api/admin/webhooks/{endpoint}"), HttpStatusCode.NoContent);
        await JsonAsync(await client.GetAsync($"/api/admin/webhooks/{endpoint}"), HttpStatusCode.NotFound);
        var audit = await JsonAsync(await client.GetAsync($"/api/admin/audit?target=webhook:{endpoint}"), HttpStatusCode.OK);
        Assert.Equal(["webhook.deleted", "webhook.updated", "webhook.test-queued", "webhook.secret-rotated", "webhook.created"],
            audit.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("action").GetString()));
        Assert.DoesNotContain(first, audit.ToString());
        Assert.DoesNotContain(second, audit.ToString());
    }

    [Fact]
    public async Task Only_admins_manage_webhooks()
    {
        var anonymous = app.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/admin/webhooks", new { url = "https://hooks.example.com/", events = new[] { "bounced" } })).StatusCode);

        var user = app.CreateClient();
        user.DefaultRequestHeaders.Authorization = new("Bearer", AdminEndpoints.Token(app.Services, "user"));
        Assert.Equal(HttpStatusCode.Forbidden, (await user.PostAsJsonAsync("/api/admin/webhooks", new { url = "https://hooks.example.com/", events = new[] { "bounced" } })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.GetAsync("/api/admin/webhooks")).StatusCode);
    }

    /// <summary>
    /// A Notifier with the shipped defaults (https only, no private network allowed), on a
    /// database and broker of its own: what an outsider holding an admin token could aim it at.
    /// </summary>
    [Fact]
    public async Task With_default_settings_internal_addresses_are_refused_at_registration_and_at_connect_time()
    {
        await using var vhost = await TestVirtualHost.CreateAsync("notifier-webhooks");
        await using var database = TestDatabase.Named("notifier_webhooks");
        await using (var strict = app.WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:Notifier", database.ConnectionString);
            b.UseSetting("RabbitMq:VirtualHost", vhost.Name);
            b.UseSetting("Bounces:ListenPort", "0");
            b.UseSetting("Webhooks:AllowHttp", "false");
            // Overrides the 127.0.0.0/8 of the shared settings with a documentation network nothing uses.
            b.UseSetting("Webhooks:AllowedPrivateNetworks:0", "192.0.2.0/24");
        }))
        {
            await using (var scope = strict.Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<NotifierDb>().Database.MigrateAsync();
            }

            var client = strict.CreateClient();
            client.DefaultRequestHeaders.Authorization = new("Bearer", AdminEndpoints.Token(strict.Services, SalesMind.ServiceDefaults.AdminAuth.AdminRole));
            await using var receiver = new WebhookReceiver();

            string[] refused =
            [
                $"https://127.0.0.1:{receiver.Port}/", "https://[::1]/", "https://[::ffff:127.0.0.1]/", "https://0x7f.1/", "https://2130706433/",
                "https://0177.0.0.1/", "https://127.0.0.1./", "https://10.0.0.5/", "https://192.168.1.10/", "https://169.254.169.254/latest/meta-data/",
                "https://100.64.0.1/", "https://[fd00::1]/", "https://0.0.0.0/", "https://localhost/", $"http://hooks.example.com/",
                "https://admin:pw@hooks.example.com/",
            ];
            foreach (var url in refused)
            {
                var problem = await JsonAsync(await client.PostAsJsonAsync("/api/admin/webhooks", new { url, events = new[] { "bounced" } }), HttpStatusCode.BadRequest);
                Assert.True(problem.GetProperty("errors").TryGetProperty("url", out var message), $"{url}: {problem}");
                Assert.StartsWith("url", message[0].GetString());
            }

            Assert.Equal(0, (await JsonAsync(await client.GetAsync("/api/admin/webhooks"), HttpStatusCode.OK)).GetArrayLength());

            // An endpoint that passed registration when its name still resolved to a public
            // address, and now resolves to loopback (DNS rebinding): written as such straight
            // into the database, then sent a test event.
            var id = Guid.NewGuid();
            await using (var scope = strict.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<NotifierDb>();
                var secrets = scope.ServiceProvider.GetRequiredService<WebhookSecrets>();
                db.WebhookEndpoints.Add(new WebhookEndpoint
                {
                    Id = id, Url = $"http://localhost:{receiver.Port}/hooks", SealedSecret = secrets.Seal(id, WebhookSecrets.Generate()), Events = ["bounced"],
                    CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow, CreatedBy = "test",
                });
                await db.SaveChangesAsync();
            }

            var eventId = (await JsonAsync(await client.PostAsync($"/api/admin/webhooks/{id}/test", null), HttpStatusCode.Accepted)).GetProperty("event_id").GetGuid();
            JsonElement attempt = default;
            await Eventually.HoldsAsync(async () =>
            {
                var log = (await LogAsync(client, id)).EnumerateArray().Single(d => d.GetProperty("event_id").GetGuid() == eventId);
                var attempts = log.GetProperty("attempt_log");
                attempt = attempts.GetArrayLength() > 0 ? attempts[0] : default;
                return attempts.GetArrayLength() > 0;
            }, Patience, "the refused attempt logged");

            Assert.Equal(JsonValueKind.Null, attempt.GetProperty("status_code").ValueKind);
            Assert.Contains("loopback", attempt.GetProperty("error").GetString());
            Assert.Empty(receiver.Requests);
        }
    }
}
