using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using SalesMind.Notifier.Data;

namespace SalesMind.Notifier.Admin;

/// <summary>
/// The poison messages of this service's virtual host: every <c>&lt;queue&gt;_error</c> queue and
/// the broker's dead-letter queue, how many messages wait in each, what they are, and replaying
/// them (one, or all) back to the queue they failed in once the cause is fixed.
/// </summary>
public static partial class ErrorQueueEndpoints
{
    public sealed record ErrorQueue(string Queue, long Messages);

    public sealed record ParkedPage(string Queue, long Waiting, List<ParkedMessage> Messages);

    public sealed record ReplayAnswer(string Queue, int Replayed, List<ReplayedMessage> Messages, int Left);

    private static readonly DateTimeOffset ExampleTime = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
    private static readonly Guid ExampleId = Guid.Parse("0193f4a2-3333-7000-8000-000000000031");

    public static RouteGroupBuilder MapErrorQueues(this RouteGroupBuilder admin)
    {
        admin.MapGet("/error-queues", ListAsync).WithTags("Operations")
            .WithSummary("Every `_error` queue on the broker and the dead-letter queue, with their message counts (messages whose consumer failed after its retries, or that the broker gave up on)")
            .WithExample(response: new[] { new ErrorQueue("user-registered_error", 1) });
        admin.MapGet("/error-queues/{queue}/messages", PeekAsync).WithTags("Operations")
            .WithSummary("The messages waiting in an error queue or the dead-letter queue, left in place: id, type, when and why they failed, headers (secret links redacted), never the body")
            .WithDescription("`limit` (1-200, default 50). Each look hands the messages back to the broker, which RabbitMQ 3.x counts as one delivery of each.")
            .WithExample(response: new ParkedPage("user-registered_error", 1,
            [
                new ParkedMessage(ExampleId, "urn:message:SalesMind.Contracts:UserRegistered", ExampleTime,
                    "23502: null value in column \"recipient\" of relation \"deliveries\" violates not-null constraint", "Npgsql.PostgresException",
                    null, "user-registered", null, 812, new SortedDictionary<string, string> { ["MT-Fault-Message"] = "23502: null value in column \"recipient\"…" }),
            ]));
        admin.MapPost("/error-queues/{queue}/replay", ReplayAllAsync).WithTags("Operations")
            .WithSummary("Replay the messages of an error queue or the dead-letter queue (up to `max`, default and ceiling Replay:MaxPerCall) to the queue each failed in")
            .WithExample(response: new ReplayAnswer("user-registered_error", 1, [new ReplayedMessage(ExampleId, "urn:message:SalesMind.Contracts:UserRegistered", "user-registered")], 0));
        admin.MapPost("/error-queues/{queue}/messages/{messageId:guid}/replay", ReplayOneAsync).WithTags("Operations")
            .WithSummary("Replay one message (by its MassTransit message id) to the queue it failed in")
            .WithExample(response: new ReplayAnswer("user-registered_error", 1, [new ReplayedMessage(ExampleId, "urn:message:SalesMind.Contracts:UserRegistered", "user-registered")], 0));
        return admin;
    }

    private static async Task<Results<Ok<List<ErrorQueue>>, ProblemHttpResult>> ListAsync(BrokerQueues broker, CancellationToken ct)
    {
        var (queues, problem) = await broker.ListAsync(ct);
        return queues is null
            ? TypedResults.Problem(problem, statusCode: StatusCodes.Status502BadGateway, title: "Broker management API unavailable")
            : TypedResults.Ok(queues.Where(q => q.IsErrorQueue || q.IsDeadLetterQueue).Select(q => new ErrorQueue(q.Name, q.Messages)).ToList());
    }

    private static async Task<Results<Ok<ParkedPage>, ValidationProblem, ProblemHttpResult>> PeekAsync(
        string queue, QueueReplay replay, CancellationToken ct, int limit = 50)
    {
        if (limit is < 1 or > 200)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["limit must be between 1 and 200."] });
        }

        var result = await replay.PeekAsync(queue, limit, ct);
        return result.Status switch
        {
            ReplayStatus.Done => TypedResults.Ok(new ParkedPage(queue, result.Waiting, result.Messages)),
            ReplayStatus.BrokerUnavailable => BrokerUnavailable(result.Problem),
            _ => UnknownQueue(queue),
        };
    }

    private static Task<Results<Ok<ReplayAnswer>, ValidationProblem, ProblemHttpResult>> ReplayAllAsync(
        string queue, int? max, QueueReplay replay, NotifierDb db, ClaimsPrincipal admin, TimeProvider time, ILoggerFactory logs, CancellationToken ct)
    {
        var ceiling = replay.Options.MaxPerCall;
        if (max is { } m && (m < 1 || m > ceiling))
        {
            return Task.FromResult<Results<Ok<ReplayAnswer>, ValidationProblem, ProblemHttpResult>>(
                TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["max"] = [$"max must be between 1 and {ceiling} (Replay:MaxPerCall)."] }));
        }

        return ReplayAsync(queue, null, max ?? ceiling, replay, db, admin, time, logs, ct);
    }

    private static Task<Results<Ok<ReplayAnswer>, ValidationProblem, ProblemHttpResult>> ReplayOneAsync(
        string queue, Guid messageId, QueueReplay replay, NotifierDb db, ClaimsPrincipal admin, TimeProvider time, ILoggerFactory logs, CancellationToken ct) =>
        ReplayAsync(queue, messageId, 1, replay, db, admin, time, logs, ct);

    private static async Task<Results<Ok<ReplayAnswer>, ValidationProblem, ProblemHttpResult>> ReplayAsync(
        string queue, Guid? messageId, int max, QueueReplay replay, NotifierDb db, ClaimsPrincipal admin, TimeProvider time, ILoggerFactory logs, CancellationToken ct)
    {
        var result = await replay.ReplayAsync(queue, messageId, max, ct);
        if (result.Replayed.Count > 0)
        {
            // Saved after the move (the broker is not in the database's transaction): a move is
            // never held back by the audit, and a failed save is logged with what was moved.
            AuditLog.Add(db, admin, time.GetUtcNow(), messageId is null ? "queue.replayed-all" : "queue.replayed",
                ReplayRules.Cut($"queue:{queue}", 199)!, null, new
                {
                    Queue = queue,
                    Count = result.Replayed.Count,
                    To = result.Replayed.Select(r => r.To).Distinct().ToList(),
                    MessageIds = result.Replayed.Select(r => r.MessageId).ToList(),
                });
            try
            {
                await db.SaveChangesAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is Microsoft.EntityFrameworkCore.DbUpdateException or Npgsql.NpgsqlException)
            {
                LogAuditFailed(logs.CreateLogger(typeof(ErrorQueueEndpoints)), ex,
                    result.Replayed.Count, queue, AuditLog.ActorOf(admin), string.Join(", ", result.Replayed.Select(r => r.MessageId)));
            }
        }

        var answer = new ReplayAnswer(queue, result.Replayed.Count, result.Replayed, result.Left);
        return result.Status switch
        {
            ReplayStatus.Done => TypedResults.Ok(answer),
            ReplayStatus.UnknownQueue => UnknownQueue(queue),
            ReplayStatus.NothingToReplay => TypedResults.Problem(
                result.Problem ?? $"Queue '{queue}' holds no message to replay.",
                statusCode: StatusCodes.Status409Conflict, title: "Nothing to replay"),
            ReplayStatus.MessageNotFound => TypedResults.Problem(
                $"No message {messageId} waits in queue '{queue}' (already replayed, or being looked at or replayed by someone else right now).",
                statusCode: StatusCodes.Status404NotFound, title: "No such message"),
            ReplayStatus.TargetRefused => TypedResults.Problem(
                $"{result.Problem} {Moved(result)}", statusCode: StatusCodes.Status409Conflict, title: "The message could not go back"),
            _ => BrokerUnavailable($"{result.Problem} {Moved(result)}"),
        };
    }

    private static string Moved(ReplayResult result) =>
        result.Replayed.Count == 0 ? "Nothing was moved." : $"{result.Replayed.Count} message(s) were moved before that: {string.Join(", ", result.Replayed.Select(r => r.MessageId))}.";

    private static ProblemHttpResult UnknownQueue(string queue) => TypedResults.Problem(
        $"'{queue}' is not an error queue (<queue>_error) or the dead-letter queue ({BrokerQueue.DeadLetterQueue}) on this virtual host.",
        statusCode: StatusCodes.Status404NotFound, title: "No such queue");

    private static ProblemHttpResult BrokerUnavailable(string? problem) => TypedResults.Problem(
        problem, statusCode: StatusCodes.Status502BadGateway, title: "Broker unavailable");

    [LoggerMessage(Level = LogLevel.Error, Message = "Replayed {Count} message(s) from {Queue} for {Actor} but could not write the audit entry; message ids: {MessageIds}")]
    private static partial void LogAuditFailed(ILogger logger, Exception ex, int count, string queue, string actor, string messageIds);
}
