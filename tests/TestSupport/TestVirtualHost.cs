using System.Net.Http.Headers;
using System.Text;

namespace SalesMind.TestSupport;

/// <summary>
/// A RabbitMQ virtual host of its own for one test class, made through the management API:
/// exchanges and queues of different tests (and of the running services) never meet.
/// </summary>
public sealed class TestVirtualHost : IAsyncDisposable
{
    private static readonly HttpClient Management = CreateClient();

    private TestVirtualHost(string name) => Name = name;

    public string Name { get; }

    public static async Task<TestVirtualHost> CreateAsync(string prefix)
    {
        var vhost = new TestVirtualHost($"{prefix}-{Guid.NewGuid():N}");
        var path = Uri.EscapeDataString(vhost.Name);
        (await Management.PutAsync($"api/vhosts/{path}", Json("{}"))).EnsureSuccessStatusCode();
        (await Management.PutAsync($"api/permissions/{path}/guest",
            Json("""{"configure":".*","write":".*","read":".*"}"""))).EnsureSuccessStatusCode();
        return vhost;
    }

    /// <summary>
    /// The management API's view of <paramref name="queue"/> (type, durable, messages, …), or
    /// null if it does not exist. Message counts are refreshed every few seconds.
    /// </summary>
    public async Task<System.Text.Json.JsonElement?> QueueAsync(string queue)
    {
        var response = await Management.GetAsync($"api/queues/{Uri.EscapeDataString(Name)}/{Uri.EscapeDataString(queue)}");
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        await Management.DeleteAsync($"api/vhosts/{Uri.EscapeDataString(Name)}");
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static HttpClient CreateClient()
    {
        var client = new HttpClient { BaseAddress = new Uri(Stack.RabbitManagement.TrimEnd('/') + "/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("guest:guest")));
        return client;
    }
}
