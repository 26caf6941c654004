using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using SalesMind.TestSupport;

namespace SalesMind.Notifier.Tests;

/// <summary>Sender addresses: exactly one default, every email's From from here, per-template choice.</summary>
[Collection(NotifierCollection.Name)]
public sealed class SenderTests(NotifierApp app)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private HttpClient Admin() => app.AdminClient();

    private static Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected) => NotifierApp.JsonAsync(response, expected);

    private static async Task<Guid> DefaultSenderAsync(HttpClient client) =>
        (await JsonAsync(await client.GetAsync("/api/admin/senders"), HttpStatusCode.OK))
            .EnumerateArray().Single(s => s.GetProperty("is_default").GetBoolean()).GetProperty("id").GetGuid();

    private async Task<MimeKit.MimeMessage> TestSendAsync(HttpClient client, string key)
    {
        var to = Stack.NewMailbox("sender");
        await JsonAsync(await client.PostAsJsonAsync($"/api/admin/templates/{key}/test-send", new { to, locale = "en" }), HttpStatusCode.Accepted);
        return Assert.Single(await Mailbox.WaitForAsync(to, Patience));
    }

    [Fact]
    public async Task The_default_sender_is_every_emails_From_and_a_template_can_choose_its_own()
    {
        var client = Admin();
        var original = await DefaultSenderAsync(client);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var support = await JsonAsync(await client.PostAsJsonAsync("/api/admin/senders",
            new { address = $"support-{suffix}@salesmind.test", display_name = "SalesMind Support", reply_to = $"help-{suffix}@salesmind.test" }), HttpStatusCode.Created);
        var supportId = support.GetProperty("id").GetGuid();
        var news = await JsonAsync(await client.PostAsJsonAsync("/api/admin/senders",
            new { address = $"news-{suffix}@salesmind.test", display_name = "SalesMind News", is_default = true }), HttpStatusCode.Created);
        var newsId = news.GetProperty("id").GetGuid();
        try
        {
            Assert.Equal(newsId, await DefaultSenderAsync(client));
            var mail = await TestSendAsync(client, "welcome");
            var from = (MimeKit.MailboxAddress)mail.From[0];
            Assert.Equal(("SalesMind News", $"news-{suffix}@salesmind.test"), (from.Name, from.Address));

            // The password-reset template sends from Support, with its reply-to; the others keep the default.
            await JsonAsync(await client.PutAsJsonAsync("/api/admin/templates/password-reset", new { sender_id = supportId }), HttpStatusCode.OK);
            var reset = await TestSendAsync(client, "password-reset");
            Assert.Equal($"support-{suffix}@salesmind.test", ((MimeKit.MailboxAddress)reset.From[0]).Address);
            Assert.Equal($"help-{suffix}@salesmind.test", ((MimeKit.MailboxAddress)reset.ReplyTo[0]).Address);

            var inUse = await JsonAsync(await client.DeleteAsync($"/api/admin/senders/{supportId}"), HttpStatusCode.Conflict);
            Assert.Contains("password-reset", inUse.GetProperty("detail").GetString());
            var isDefault = await JsonAsync(await client.DeleteAsync($"/api/admin/senders/{newsId}"), HttpStatusCode.Conflict);
            Assert.Contains("default", isDefault.GetProperty("detail").GetString());
        }
        finally
        {
            await client.PutAsJsonAsync("/api/admin/templates/password-reset", new { sender_id = (Guid?)null });
            await client.PostAsync($"/api/admin/senders/{original}/default", null);
        }

        Assert.Equal(original, await DefaultSenderAsync(client));
        await JsonAsync(await client.DeleteAsync($"/api/admin/senders/{supportId}"), HttpStatusCode.NoContent);
        await JsonAsync(await client.DeleteAsync($"/api/admin/senders/{newsId}"), HttpStatusCode.NoContent);
        var audit = await JsonAsync(await client.GetAsync($"/api/admin/audit?target=sender:{newsId}"), HttpStatusCode.OK);
        Assert.Equal(["sender.deleted", "sender.created"],
            audit.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task The_database_itself_refuses_no_default_and_two_defaults()
    {
        await using var connection = new NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        await JsonAsync(await Admin().GetAsync("/api/admin/senders"), HttpStatusCode.OK);

        await using (var none = new NpgsqlCommand("UPDATE senders SET is_default = false", connection))
        {
            var ex = await Assert.ThrowsAsync<PostgresException>(() => none.ExecuteNonQueryAsync());
            Assert.Contains("exactly one sender must be the default", ex.MessageText);
        }

        await using (var two = new NpgsqlCommand(
            "INSERT INTO senders (id, address, display_name, is_default, created_at, updated_at) VALUES (gen_random_uuid(), 'second-default@salesmind.test', 'x', true, now(), now())",
            connection))
        {
            var ex = await Assert.ThrowsAsync<PostgresException>(() => two.ExecuteNonQueryAsync());
            Assert.Equal(PostgresErrorCodes.UniqueViolation, ex.SqlState);
        }
    }

    [Fact]
    public async Task Addresses_are_validated_and_unique()
    {
        var client = Admin();
        var invalid = await JsonAsync(await client.PostAsJsonAsync("/api/admin/senders",
            new { address = "Mallory <m@evil.test>", display_name = "Line\r\nBcc: x@y.test", reply_to = "nope" }), HttpStatusCode.BadRequest);
        var errors = invalid.GetProperty("errors");
        Assert.Contains("one email address", errors.GetProperty("address")[0].GetString());
        Assert.Contains("one line", errors.GetProperty("display_name")[0].GetString());
        Assert.Contains("reply_to", errors.GetProperty("reply_to")[0].GetString());

        var address = $"dup-{Guid.NewGuid():N}"[..16] + "@salesmind.test";
        var created = await JsonAsync(await client.PostAsJsonAsync("/api/admin/senders", new { address, display_name = "One" }), HttpStatusCode.Created);
        await JsonAsync(await client.PostAsJsonAsync("/api/admin/senders", new { address, display_name = "Two" }), HttpStatusCode.Conflict);
        await JsonAsync(await client.DeleteAsync($"/api/admin/senders/{created.GetProperty("id").GetGuid()}"), HttpStatusCode.NoContent);
    }
}
