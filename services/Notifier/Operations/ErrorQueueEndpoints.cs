using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using SalesMind.ServiceDefaults;

using SalesMind.Notifier.Docs;

namespace SalesMind.Notifier.Operations;

/// <summary>
/// The poison messages of this service's virtual host: every <c>&lt;queue&gt;_error</c> queue and
/// how many messages wait in it, read from RabbitMQ's management API.
/// </summary>
public static class ErrorQueueEndpoints
{
    public const string HttpClientName = "rabbitmq-management";

    public sealed record ErrorQueue(string Queue, long Messages);

    public static RouteGroupBuilder MapErrorQueues(this RouteGroupBuilder admin)
    {
        admin.MapGet("/error-queues", ListAsync).WithTags("Operations")
            .WithSummary("Every `_error` queue on the broker with its message count (messages whose consumer failed after its retries)")
            .WithExample(response: new[] { new ErrorQueue("user-registered_error", 1) });
        return admin;
    }

    private static async Task<Results<Ok<List<ErrorQueue>>, ProblemHttpResult>> ListAsync(
        IHttpClientFactory clients, IOptions<RabbitMqOptions> rabbit, CancellationToken ct)
    {
        var options = rabbit.Value;
        if (string.IsNullOrEmpty(options.ManagementUrl))
        {
            return TypedResults.Problem("RabbitMq:ManagementUrl is not configured.", statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Broker management API not configured");
        }

        var client = clients.CreateClient(HttpClientName);
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"{options.ManagementUrl.TrimEnd('/')}/api/queues/{Uri.EscapeDataString(options.VirtualHost)}?columns=name,messages");
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.Username}:{options.Password}")));
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, ct);
        }
        catch (HttpRequestException ex)
        {
            return TypedResults.Problem($"The broker's management API did not answer: {ex.Message}",
                statusCode: StatusCodes.Status502BadGateway, title: "Broker unreachable");
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                return TypedResults.Problem($"The broker's management API answered {(int)response.StatusCode}.",
                    statusCode: StatusCodes.Status502BadGateway, title: "Broker management API error");
            }

            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            var queues = document.RootElement.EnumerateArray()
                .Select(q => new ErrorQueue(
                    q.GetProperty("name").GetString()!,
                    q.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0))
                .Where(q => q.Queue.EndsWith("_error", StringComparison.Ordinal))
                .OrderBy(q => q.Queue, StringComparer.Ordinal)
                .ToList();
            return TypedResults.Ok(queues);
        }
    }
}
