using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SalesMind.TestSupport;

namespace SalesMind.EndToEnd.Tests;

/// <summary>
/// An admin replays a dead letter from the dashboard: it goes back to the queue it failed in, the
/// stack's Notifier handles it, and its email arrives. "Replay all" asks first.
/// </summary>
public sealed class ReplayPageTests(Browser browser) : IClassFixture<Browser>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);
    private const string DeadLetters = "salesmind.dead-letters";

    /// <summary>
    /// Puts an AccountAlreadyExists event in the stack's dead-letter queue as the broker leaves
    /// one there (its x-death names the queue it failed in), through the management API.
    /// </summary>
    private static async Task ParkAsync(Guid messageId, string email)
    {
        var envelope = new JsonObject
        {
            ["messageId"] = messageId.ToString(),
            ["conversationId"] = Guid.NewGuid().ToString(),
            ["sourceAddress"] = "rabbitmq://localhost/end-to-end-test",
            ["destinationAddress"] = "rabbitmq://localhost/SalesMind.Contracts:AccountAlreadyExists",
            ["messageType"] = new JsonArray("urn:message:SalesMind.Contracts:AccountAlreadyExists"),
            ["message"] = new JsonObject
            {
                ["userId"] = Guid.NewGuid().ToString(),
                ["username"] = "replayed",
                ["email"] = email,
                ["locale"] = "en",
                ["loginUrl"] = $"{Stack.FrontDoor}/login.html",
                ["attemptedAt"] = DateTimeOffset.UtcNow.ToString("O"),
            },
            ["sentTime"] = DateTimeOffset.UtcNow.ToString("O"),
            ["headers"] = new JsonObject(),
        };
        var publish = new JsonObject
        {
            ["routing_key"] = DeadLetters,
            ["payload"] = envelope.ToJsonString(),
            ["payload_encoding"] = "string",
            ["properties"] = new JsonObject
            {
                ["message_id"] = messageId.ToString(),
                ["content_type"] = "application/vnd.masstransit+json",
                ["delivery_mode"] = 2,
                ["headers"] = new JsonObject
                {
                    ["x-death"] = new JsonArray(new JsonObject
                    {
                        ["queue"] = "account-already-exists",
                        ["reason"] = "delivery_limit",
                        ["count"] = 20,
                        ["exchange"] = "",
                    }),
                    ["x-first-death-queue"] = "account-already-exists",
                    ["x-first-death-reason"] = "delivery_limit",
                },
            },
        };
        using var management = new HttpClient { BaseAddress = new Uri(Stack.RabbitManagement.TrimEnd('/') + "/") };
        management.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("guest:guest")));
        using var response = await management.PostAsync("api/exchanges/%2F/amq.default/publish",
            new StringContent(publish.ToJsonString(), Encoding.UTF8, "application/json"));
        var answer = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode && answer.Contains("\"routed\":true", StringComparison.Ordinal), answer);
    }

    [Fact]
    public async Task An_admin_replays_a_dead_letter_from_the_dashboard_and_its_email_arrives()
    {
        var id = Guid.NewGuid();
        var email = Stack.NewMailbox("replayed");
        await ParkAsync(id, email);
        var (page, errors) = await SignedInAdmin.OpenAsync(browser, "/dashboard.html");

        // The dead-letter queue is offered for replay once the broker's numbers show the message.
        var queue = page.Locator($"#replay-queues tr[data-queue='{DeadLetters}']");
        await Assertions.Expect(queue).ToBeVisibleAsync(new() { Timeout = (float)Patience.TotalMilliseconds });
        await queue.Locator(".replay-show").ClickAsync();

        // Its messages: type, id and where it goes back to; nothing of the body.
        var message = page.Locator($"#replay-messages tr[data-message-id='{id}']");
        await Assertions.Expect(message).ToContainTextAsync("AccountAlreadyExists");
        await Assertions.Expect(message).ToContainTextAsync("account-already-exists");
        await Assertions.Expect(page.Locator("#replay-messages")).Not.ToContainTextAsync(email);

        // A phone's width: the tables scroll in their own boxes.
        await page.SetViewportSizeAsync(360, 800);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 360"), "the replay section should fit a 360px screen");

        await message.Locator(".replay-one").ClickAsync();
        await Assertions.Expect(page.Locator("#replay-status")).ToHaveTextAsync($"Replayed 1 message(s) from {DeadLetters} to account-already-exists.");
        await Assertions.Expect(message).ToHaveCountAsync(0);

        // The stack's Notifier handled it: the email is in the mailbox.
        var mail = await Mailbox.WaitForAsync(email, Patience);
        Assert.Single(mail);

        // In Japanese too.
        await page.ClickAsync("#lang-toggle");
        await Assertions.Expect(page.Locator("#replay-heading")).ToHaveTextAsync("止まったメッセージの再処理");
        await Assertions.Expect(page.Locator("#replay-status")).ToContainTextAsync("1 件を再処理しました");
        await page.ClickAsync("#lang-toggle");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task Replay_all_asks_first_and_says_how_many_went_back()
    {
        var (page, errors) = await SignedInAdmin.OpenAsync(browser, "/dashboard.html");
        // A queue of failed messages no running stack can be put in on demand: the dashboard's
        // answer gets one, and the replay's answer is the server's shape with chosen numbers.
        await page.RouteAsync("**/notifier/api/admin/dashboard*", async route =>
        {
            var response = await route.FetchAsync();
            var answer = JsonNode.Parse(await response.TextAsync())!.AsObject();
            var queues = answer["queues"] as JsonArray ?? [];
            queues.Add(JsonNode.Parse("""{"name":"shop-order_error","messages":2,"consumers":0,"is_error_queue":true,"is_dead_letter_queue":false,"expects_consumer":false}"""));
            answer["queues"] = JsonNode.Parse(queues.ToJsonString());
            await route.FulfillAsync(new() { Response = response, Body = answer.ToJsonString() });
        });
        var replays = 0;
        await page.RouteAsync("**/notifier/api/admin/error-queues/shop-order_error/replay", async route =>
        {
            replays++;
            await route.FulfillAsync(new()
            {
                Status = 200,
                ContentType = "application/json",
                Body = """
                    {"queue":"shop-order_error","replayed":2,"left":0,"messages":[
                      {"message_id":"0193f4a2-3333-7000-8000-000000000031","message_type":"urn:message:Shop:OrderPlaced","to":"shop-order"},
                      {"message_id":"0193f4a2-3333-7000-8000-000000000032","message_type":"urn:message:Shop:OrderPlaced","to":"shop-order"}]}
                    """,
            });
        });
        await page.ReloadAsync();

        var queue = page.Locator("#replay-queues tr[data-queue='shop-order_error']");
        await Assertions.Expect(queue).ToContainTextAsync("2");
        var accept = false;
        var asked = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            asked.Add(dialog.Message);
            if (accept)
            {
                await dialog.AcceptAsync();
            }
            else
            {
                await dialog.DismissAsync();
            }
        };

        // Declined: nothing is sent.
        await queue.Locator(".replay-all").ClickAsync();
        await Assertions.Expect(page.Locator("#replay-status")).ToHaveTextAsync("");
        Assert.Equal(0, replays);
        Assert.Matches(new Regex("2 message\\(s\\) of shop-order_error"), Assert.Single(asked));

        // Accepted: one replay, and what it did.
        accept = true;
        await queue.Locator(".replay-all").ClickAsync();
        await Assertions.Expect(page.Locator("#replay-status")).ToHaveTextAsync("Replayed 2 message(s) from shop-order_error to shop-order.");
        Assert.Equal(1, replays);
        Assert.Empty(errors);
    }
}
