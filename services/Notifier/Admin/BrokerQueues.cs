using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SalesMind.ServiceDefaults;

namespace SalesMind.Notifier.Admin;

/// <summary>One queue of this service's virtual host, as RabbitMQ's management API reports it.</summary>
public sealed record BrokerQueue(string Name, long Messages, long Consumers)
{
    /// <summary>
    /// Where the broker moves a message after 20 deliveries (rabbitmq/definitions.json). Nothing
    /// consumes it: an operator reads it, so it matters only when it holds messages.
    /// </summary>
    public const string DeadLetterQueue = "salesmind.dead-letters";

    /// <summary>Where MassTransit moves messages whose consumer failed after its retries.</summary>
    public bool IsErrorQueue => Name.EndsWith("_error", StringComparison.Ordinal);

    /// <summary>The broker's own dead-letter queue.</summary>
    public bool IsDeadLetterQueue => Name == DeadLetterQueue;

    /// <summary>
    /// Whether a queue without a consumer is a fault. Error, skipped and dead-letter queues are
    /// parking places that no service reads by design; every other queue is a consumer's.
    /// </summary>
    public bool ExpectsConsumer => !IsErrorQueue && !IsDeadLetterQueue && !Name.EndsWith("_skipped", StringComparison.Ordinal);
}

/// <summary>Reads the queues of this service's virtual host from RabbitMQ's management API.</summary>
public sealed class BrokerQueues(IHttpClientFactory clients, IOptions<RabbitMqOptions> rabbit)
{
    public const string HttpClientName = "rabbitmq-management";

    /// <summary>The queues, or the reason they could not be read (for a problem detail or the dashboard).</summary>
    public async Task<(List<BrokerQueue>? Queues, string? Problem)> ListAsync(CancellationToken ct)
    {
        var options = rabbit.Value;
        if (string.IsNullOrEmpty(options.ManagementUrl))
        {
            return (null, "RabbitMq:ManagementUrl is not configured.");
        }

        var client = clients.CreateClient(HttpClientName);
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"{options.ManagementUrl.TrimEnd('/')}/api/queues/{Uri.EscapeDataString(options.VirtualHost)}?columns=name,messages,consumers");
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(string.IsNullOrEmpty(options.ManagementUsername)
                ? $"{options.Username}:{options.Password}"
                : $"{options.ManagementUsername}:{options.ManagementPassword}")));
        try
        {
            using var response = await client.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"The broker's management API answered {(int)response.StatusCode}.");
            }

            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            return (document.RootElement.EnumerateArray()
                .Select(q => new BrokerQueue(q.GetProperty("name").GetString()!, Number(q, "messages"), Number(q, "consumers")))
                .OrderBy(q => q.Name, StringComparer.Ordinal)
                .ToList(), null);
        }
        catch (HttpRequestException ex)
        {
            return (null, $"The broker's management API did not answer: {ex.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, "The broker's management API did not answer in time.");
        }
    }

    private static long Number(JsonElement queue, string name) =>
        queue.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;
}
