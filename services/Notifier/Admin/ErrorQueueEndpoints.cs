using Microsoft.AspNetCore.Http.HttpResults;

namespace SalesMind.Notifier.Admin;

/// <summary>
/// The poison messages of this service's virtual host: every <c>&lt;queue&gt;_error</c> queue and
/// how many messages wait in it, read from RabbitMQ's management API.
/// </summary>
public static class ErrorQueueEndpoints
{
    public sealed record ErrorQueue(string Queue, long Messages);

    public static RouteGroupBuilder MapErrorQueues(this RouteGroupBuilder admin)
    {
        admin.MapGet("/error-queues", ListAsync).WithTags("Operations")
            .WithSummary("Every `_error` queue on the broker with its message count (messages whose consumer failed after its retries)")
            .WithExample(response: new[] { new ErrorQueue("user-registered_error", 1) });
        return admin;
    }

    private static async Task<Results<Ok<List<ErrorQueue>>, ProblemHttpResult>> ListAsync(BrokerQueues broker, CancellationToken ct)
    {
        var (queues, problem) = await broker.ListAsync(ct);
        return queues is null
            ? TypedResults.Problem(problem, statusCode: StatusCodes.Status502BadGateway, title: "Broker management API unavailable")
            : TypedResults.Ok(queues.Where(q => q.IsErrorQueue).Select(q => new ErrorQueue(q.Name, q.Messages)).ToList());
    }
}
