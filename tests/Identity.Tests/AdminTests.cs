using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SalesMind.TestSupport;

namespace SalesMind.Identity.Tests;

[Collection(IdentityCollection.Name)]
public sealed class AdminTests(IdentityApp app)
{
    [Fact]
    public async Task Every_admin_endpoint_answers_401_without_a_token_and_403_to_a_non_admin()
    {
        var admin = await app.AccountWithTokenAsync();
        var user = await app.AccountWithTokenAsync(admin: false);
        await AdminEndpoints.AssertOnlyAdminsGetInAsync(app.Services, app.Client(), atLeast: 5, admin.Token, user.Token);
    }

    [Fact]
    public async Task Dead_lettered_outbox_rows_are_listed_and_can_be_put_back_in_line()
    {
        var id = await app.Database.ScalarAsync<long>("""
            INSERT INTO outbox_message (message_id, message_type, body, created_at, available_at, attempts, last_error, dead_lettered_at)
            VALUES (gen_random_uuid(), 'SalesMind.Contracts.Gone', '{}', now(), now(), 10, 'Unknown message type', now())
            RETURNING id
            """);
        var client = await app.AdminClientAsync();

        var letters = await client.GetFromJsonAsync<JsonElement>("/api/admin/outbox/dead-letters");
        var letter = Assert.Single(letters.EnumerateArray(), l => l.GetProperty("id").GetInt64() == id);
        Assert.Equal("SalesMind.Contracts.Gone", letter.GetProperty("message_type").GetString());
        Assert.Equal("Unknown message type", letter.GetProperty("last_error").GetString());
        var summary = await client.GetFromJsonAsync<JsonElement>("/api/admin/outbox/");
        Assert.True(summary.GetProperty("dead_lettered").GetInt64() >= 1);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/admin/outbox/dead-letters/{id}/retry", null)).StatusCode);
        Assert.Equal(0, await app.Database.ScalarAsync<int>("SELECT attempts FROM outbox_message WHERE id = $1", id));
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync($"/api/admin/outbox/dead-letters/{id}/retry", null)).StatusCode);
    }

    [Fact]
    public async Task Retry_all_puts_every_dead_letter_back_in_line_except_one_whose_link_was_removed()
    {
        var ids = new List<long>();
        for (var i = 0; i < 2; i++)
        {
            ids.Add(await app.Database.ScalarAsync<long>("""
                INSERT INTO outbox_message (message_id, message_type, body, created_at, available_at, attempts, last_error, dead_lettered_at)
                VALUES (gen_random_uuid(), 'SalesMind.Contracts.Gone', '{}', now(), now(), 10, 'Unknown message type', now())
                RETURNING id
                """));
        }

        var redacted = await app.Database.ScalarAsync<long>("""
            INSERT INTO outbox_message (message_id, message_type, body, created_at, available_at, attempts, last_error, dead_lettered_at)
            VALUES (gen_random_uuid(), 'SalesMind.Contracts.UserRegistered', '{"verificationUrl":"https://salesmind.example/?token=[redacted]"}',
                    now(), now(), 10, 'gone', now())
            RETURNING id
            """);
        var client = await app.AdminClientAsync();

        var response = await client.PostAsync("/api/admin/outbox/dead-letters/retry-all", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var answer = JsonDocument.Parse(body).RootElement;
        var retried = answer.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()).ToList();
        Assert.Subset(retried.ToHashSet(), ids.ToHashSet());
        Assert.DoesNotContain(redacted, retried);
        Assert.True(answer.GetProperty("need_new_link").GetInt64() >= 1);
        // Back in line with its attempts reset (the relay may have tried it once already); the redacted one untouched.
        Assert.True(await app.Database.ScalarAsync<int>("SELECT attempts FROM outbox_message WHERE id = $1", ids[0]) < 10);
        Assert.Equal(10, await app.Database.ScalarAsync<int>("SELECT attempts FROM outbox_message WHERE id = $1", redacted));
        Assert.True(await app.Database.ScalarAsync<bool>("SELECT dead_lettered_at IS NOT NULL FROM outbox_message WHERE id = $1", redacted));
    }
}
