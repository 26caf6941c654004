using System.ComponentModel.DataAnnotations;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SalesMind.Notifier.Ledger;
using SalesMind.Outbox;
using SalesMind.ServiceDefaults;

namespace SalesMind.Notifier.Admin;

/// <summary>Limits of a replay from an error queue or the dead-letter queue (section <c>Replay</c>).</summary>
public sealed class ReplayOptions
{
    public const string Section = "Replay";

    /// <summary>Most messages one "replay all" call moves (and the largest <c>?max=</c>); call again for more.</summary>
    [Range(1, 10_000, ErrorMessage = "Replay:MaxPerCall must be between 1 and 10000.")]
    public int MaxPerCall { get; set; } = 500;

    /// <summary>How many messages a replay of one message id looks through before it answers 404.</summary>
    [Range(1, 100_000, ErrorMessage = "Replay:SearchDepth must be between 1 and 100000.")]
    public int SearchDepth { get; set; } = 5000;
}

/// <summary>One parked message as an operator sees it: its headers and type, never its body (it may hold a single-use link).</summary>
public sealed record ParkedMessage(
    Guid? MessageId,
    string? MessageType,
    DateTimeOffset? FaultedAt,
    string? FaultMessage,
    string? FaultExceptionType,
    string? DeathReason,
    string? OriginalQueue,
    long? Deliveries,
    int Size,
    SortedDictionary<string, string> Headers);

/// <summary>One message moved back: its id and where it went.</summary>
public sealed record ReplayedMessage(Guid? MessageId, string? MessageType, string To);

/// <summary>How a look or a replay went.</summary>
public enum ReplayStatus
{
    Done,
    UnknownQueue,
    NothingToReplay,
    MessageNotFound,
    TargetRefused,
    BrokerUnavailable,
}

public sealed record PeekResult(ReplayStatus Status, List<ParkedMessage> Messages, long Waiting, string? Problem = null);

/// <summary>
/// <paramref name="Replayed"/> were moved; <paramref name="Left"/> were looked at and left in place
/// (no queue to send them to, or already moved once in this call and failed again).
/// </summary>
public sealed record ReplayResult(ReplayStatus Status, List<ReplayedMessage> Replayed, int Left, string? Problem = null);

/// <summary>
/// Looks at and replays the messages parked in an error queue (<c>X_error</c>, where MassTransit
/// puts a message whose consumer failed) or in the broker's dead-letter queue.
/// </summary>
/// <remarks>
/// It talks AMQP with the service's own broker login (RabbitMq:*), not the management API: in
/// production the management login is a monitoring user with no right to read or publish
/// messages, and the management API's "get" cannot hold a message while its copy is published.
/// Here each message is taken with basic.get and manual acknowledgement, published to its queue
/// on a channel with publisher confirms, and acknowledged in its old queue only after the broker
/// confirmed the copy. A crash in between leaves it in both queues (a duplicate, which the
/// consumers' inbox drops by message id), never in neither. A message held by one replay is
/// invisible to another until it is acknowledged or handed back, so two admins replaying at
/// once never move the same message twice.
/// </remarks>
public sealed partial class QueueReplay(IOptions<RabbitMqOptions> rabbit, IOptions<ReplayOptions> options, ILogger<QueueReplay> logger)
{
    private static readonly Meter Meter = new(DeliveryLedger.MeterName);
    private static readonly Counter<long> Replays = Meter.CreateCounter<long>(
        "salesmind.replays", description: "Messages replayed from an error queue or the dead-letter queue back to the queue they failed in, by the queue they left");

    public ReplayOptions Options => options.Value;

    /// <summary>
    /// Up to <paramref name="limit"/> messages waiting in <paramref name="queue"/>, left where they
    /// are. Each look hands them back to the broker, which on RabbitMQ 3.x counts as one delivery
    /// (after 20, the policy moves a message to the dead-letter queue, from where it can still be
    /// replayed): so the dashboard looks only when asked.
    /// </summary>
    public async Task<PeekResult> PeekAsync(string queue, int limit, CancellationToken ct)
    {
        if (!ReplayRules.IsReplayable(queue))
        {
            return new PeekResult(ReplayStatus.UnknownQueue, [], 0);
        }

        try
        {
            await using var connection = await ConnectAsync(ct);
            var (exists, waiting) = await CountAsync(connection, queue, ct);
            if (!exists)
            {
                return new PeekResult(ReplayStatus.UnknownQueue, [], 0);
            }

            var messages = new List<ParkedMessage>();
            await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
            ulong last = 0;
            while (messages.Count < limit && await channel.BasicGetAsync(queue, autoAck: false, ct) is { } got)
            {
                last = got.DeliveryTag;
                messages.Add(Describe(queue, got));
            }

            if (last > 0)
            {
                await channel.BasicNackAsync(last, multiple: true, requeue: true, CancellationToken.None);
            }

            return new PeekResult(ReplayStatus.Done, messages, Math.Max(waiting, messages.Count));
        }
        catch (Exception ex) when (IsBrokerFailure(ex))
        {
            LogBrokerFailure(ex, queue);
            return new PeekResult(ReplayStatus.BrokerUnavailable, [], 0, BrokerProblem(ex));
        }
    }

    /// <summary>
    /// Moves the message <paramref name="messageId"/>, or (null) up to <paramref name="max"/>
    /// messages, from <paramref name="queue"/> back to the queue each failed in.
    /// </summary>
    public async Task<ReplayResult> ReplayAsync(string queue, Guid? messageId, int max, CancellationToken ct)
    {
        if (!ReplayRules.IsReplayable(queue))
        {
            return new ReplayResult(ReplayStatus.UnknownQueue, [], 0);
        }

        var replayed = new List<ReplayedMessage>();
        try
        {
            await using var connection = await ConnectAsync(ct);
            var (exists, waiting) = await CountAsync(connection, queue, ct);
            if (!exists)
            {
                return new ReplayResult(ReplayStatus.UnknownQueue, [], 0);
            }

            if (waiting == 0)
            {
                return new ReplayResult(messageId is null ? ReplayStatus.NothingToReplay : ReplayStatus.MessageNotFound, [], 0);
            }

            await using var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
            // Messages looked at and left in place: handed back together at the end, so one that
            // cannot be moved is not taken again and again within this call.
            var left = new List<ulong>();
            var moved = new HashSet<Guid>();
            string? refused = null;
            try
            {
                var looked = 0;
                while (replayed.Count < (messageId is null ? max : 1) && looked < (messageId is null ? Math.Max(max, options.Value.SearchDepth) : options.Value.SearchDepth))
                {
                    // Once a message is taken, the request's end no longer stops the move half-way.
                    if (await channel.BasicGetAsync(queue, autoAck: false, ct) is not { } got)
                    {
                        break;
                    }

                    looked++;
                    var id = ReplayRules.MessageIdOf(got.BasicProperties.MessageId, got.BasicProperties.Headers);
                    var target = ReplayRules.TargetOf(queue, got.BasicProperties.Headers);
                    if ((messageId is { } wanted && id != wanted) || (id is { } seen && moved.Contains(seen)) || target is null)
                    {
                        left.Add(got.DeliveryTag);
                        continue;
                    }

                    try
                    {
                        // To the queue itself through the default exchange, not to the message's
                        // exchange: the other services bound to it have handled it already.
                        // Mandatory: a queue that no longer exists is an error, not a silent drop.
                        await channel.BasicPublishAsync("", target, mandatory: true, ReplayRules.PropertiesForReplay(got.BasicProperties), got.Body, CancellationToken.None);
                    }
                    catch (PublishException ex)
                    {
                        left.Add(got.DeliveryTag);
                        refused = ex is PublishReturnException returned
                            ? $"The broker could not route the message to queue '{target}' ({returned.ReplyCode} {returned.ReplyText}): does the queue still exist?"
                            : $"The broker refused the message for queue '{target}' (is the queue full?).";
                        break;
                    }

                    await channel.BasicAckAsync(got.DeliveryTag, multiple: false, CancellationToken.None);
                    if (id is { } movedId)
                    {
                        moved.Add(movedId);
                    }

                    replayed.Add(new ReplayedMessage(id, ReplayRules.MessageTypeOf(got.BasicProperties.Headers, got.Body.Span), target));
                    Replays.Add(1, new KeyValuePair<string, object?>("queue", queue));
                }
            }
            finally
            {
                foreach (var tag in left)
                {
                    await channel.BasicNackAsync(tag, multiple: false, requeue: true, CancellationToken.None);
                }
            }

            LogReplayed(replayed.Count, queue, left.Count);
            if (refused is not null)
            {
                return new ReplayResult(ReplayStatus.TargetRefused, replayed, left.Count, refused);
            }

            if (replayed.Count == 0)
            {
                return new ReplayResult(messageId is null ? ReplayStatus.NothingToReplay : ReplayStatus.MessageNotFound, replayed, left.Count,
                    messageId is null && left.Count > 0 ? $"{left.Count} message(s) name no queue to go back to (no x-death header); they were left in place." : null);
            }

            return new ReplayResult(ReplayStatus.Done, replayed, left.Count);
        }
        catch (Exception ex) when (IsBrokerFailure(ex))
        {
            LogBrokerFailure(ex, queue);
            // Whatever was confirmed before the failure stays moved (and is reported, and audited).
            return new ReplayResult(ReplayStatus.BrokerUnavailable, replayed, 0, BrokerProblem(ex));
        }
    }

    private static ParkedMessage Describe(string queue, BasicGetResult got)
    {
        var headers = got.BasicProperties.Headers;
        return new ParkedMessage(
            ReplayRules.MessageIdOf(got.BasicProperties.MessageId, headers),
            ReplayRules.MessageTypeOf(headers, got.Body.Span),
            ReplayRules.FaultedAt(headers),
            ReplayRules.Cut(SecretRedaction.RedactOrNull(ReplayRules.Text(headers is not null && headers.TryGetValue(MassTransit.MessageHeaders.FaultMessage, out var m) ? m : null)), 1000),
            ReplayRules.Text(headers is not null && headers.TryGetValue(MassTransit.MessageHeaders.FaultExceptionType, out var t) ? t : null),
            ReplayRules.DeathReasonOf(headers),
            ReplayRules.TargetOf(queue, headers),
            headers is not null && headers.TryGetValue("x-delivery-count", out var count) && long.TryParse(ReplayRules.Text(count), out var n) ? n : null,
            got.Body.Length,
            ReplayRules.Shown(headers));
    }

    /// <summary>Whether the queue exists, and how many messages are ready in it (a passive declare: it creates nothing).</summary>
    private static async Task<(bool Exists, long Waiting)> CountAsync(IConnection connection, string queue, CancellationToken ct)
    {
        // A passive declare of a missing queue closes its channel: a channel of its own.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        try
        {
            var ok = await channel.QueueDeclarePassiveAsync(queue, ct);
            return (true, ok.MessageCount);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return (false, 0);
        }
    }

    private async Task<IConnection> ConnectAsync(CancellationToken ct)
    {
        var o = rabbit.Value;
        var factory = new ConnectionFactory
        {
            UserName = o.Username,
            Password = o.Password,
            VirtualHost = o.VirtualHost,
            // An admin is waiting: fail fast and say so, rather than retry in the background.
            AutomaticRecoveryEnabled = false,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(5),
            ContinuationTimeout = TimeSpan.FromSeconds(10),
        };
        var endpoints = o.AllNodes()
            .Select(node => RabbitMqOptions.TryParseNode(node, out var host, out var port) ? new AmqpTcpEndpoint(host, port ?? o.Port) : null)
            .OfType<AmqpTcpEndpoint>()
            .DefaultIfEmpty(new AmqpTcpEndpoint(o.Host, o.Port))
            .ToList();
        return await factory.CreateConnectionAsync(endpoints, "salesmind-notifier-replay", ct);
    }

    private static bool IsBrokerFailure(Exception ex) =>
        ex is BrokerUnreachableException or AlreadyClosedException or OperationInterruptedException or ConnectFailureException
            or System.Net.Sockets.SocketException or IOException or TimeoutException;

    private static string BrokerProblem(Exception ex) => ex switch
    {
        BrokerUnreachableException => "The broker did not answer (RabbitMq:Host / RabbitMq:Nodes).",
        OperationInterruptedException { ShutdownReason: { } reason } => $"The broker ended the operation: {reason.ReplyCode} {reason.ReplyText}.",
        _ => $"The broker connection failed: {ex.Message}",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replayed {Count} message(s) from {Queue}; {Left} looked at and left in place")]
    private partial void LogReplayed(int count, string queue, int left);

    [LoggerMessage(Level = LogLevel.Error, Message = "The broker failed while reading or replaying {Queue}")]
    private partial void LogBrokerFailure(Exception ex, string queue);
}
