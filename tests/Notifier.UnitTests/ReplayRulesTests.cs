using System.Text;
using RabbitMQ.Client;
using SalesMind.Notifier.Admin;

namespace SalesMind.Notifier.UnitTests;

/// <summary>Where a parked message goes back to, what it loses on the way, and what an operator is shown of it.</summary>
public sealed class ReplayRulesTests
{
    private static readonly Guid Id = Guid.Parse("0193f4a2-3333-7000-8000-000000000031");

    /// <summary>A header table as RabbitMQ.Client hands it over: strings as bytes, x-death as a list of tables.</summary>
    private static Dictionary<string, object?> Dead(string queue, string reason = "delivery_limit", params (string Queue, string Reason)[] older)
    {
        var deaths = new List<object?> { Death(queue, reason, 1764493200) };
        deaths.AddRange(older.Select(o => (object?)Death(o.Queue, o.Reason, 1764400000)));
        return new Dictionary<string, object?>
        {
            ["x-death"] = deaths,
            ["x-first-death-queue"] = Bytes(older.Length > 0 ? older[^1].Queue : queue),
            ["x-first-death-reason"] = Bytes(reason),
        };
    }

    private static Dictionary<string, object?> Death(string queue, string reason, long time) => new()
    {
        ["count"] = 1L,
        ["reason"] = Bytes(reason),
        ["queue"] = Bytes(queue),
        ["time"] = new AmqpTimestamp(time),
        ["exchange"] = Bytes(""),
        ["routing-keys"] = new List<object?> { Bytes(queue) },
    };

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Theory]
    [InlineData("user-registered_error", true)]
    [InlineData("email-delivery-status-changed_error", true)]
    [InlineData(BrokerQueue.DeadLetterQueue, true)]
    [InlineData("user-registered", false)]
    [InlineData("user-registered_skipped", false)]
    [InlineData("_error", false)]
    [InlineData("salesmind.dead-letters.other", false)]
    [InlineData("", false)]
    public void Only_error_queues_and_the_dead_letter_queue_can_be_replayed(string queue, bool replayable) =>
        Assert.Equal(replayable, ReplayRules.IsReplayable(queue));

    [Theory]
    [InlineData("user-registered_error", "user-registered")]
    [InlineData("email-delivery-status-changed_error", "email-delivery-status-changed")]
    [InlineData("a_error_error", "a_error")]
    [InlineData("user-registered", null)]
    [InlineData("user-registered_skipped", null)]
    public void An_error_queues_message_goes_back_to_the_queue_before_the_suffix(string queue, string? target) =>
        Assert.Equal(target, ReplayRules.TargetOf(queue, new Dictionary<string, object?> { ["x-death"] = new List<object?> { Death("elsewhere", "rejected", 0) } }));

    [Fact]
    public void A_dead_letter_goes_back_to_the_queue_its_newest_death_names()
    {
        var headers = Dead("password-reset-requested", "delivery_limit", ("user-registered", "rejected"));

        Assert.Equal("password-reset-requested", ReplayRules.TargetOf(BrokerQueue.DeadLetterQueue, headers));
        Assert.Equal("delivery_limit", ReplayRules.DeathReasonOf(headers));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1764493200), ReplayRules.FaultedAt(headers));
    }

    [Fact]
    public void A_dead_letter_that_was_parked_in_an_error_queue_goes_back_to_the_queue_it_failed_in()
    {
        // Looked at 20 times in user-registered_error, the policy moved it on: it failed in user-registered.
        Assert.Equal("user-registered", ReplayRules.TargetOf(BrokerQueue.DeadLetterQueue, Dead("user-registered_error")));
    }

    [Fact]
    public void Without_x_death_the_first_and_last_death_headers_name_the_queue()
    {
        Assert.Equal("user-registered", ReplayRules.TargetOf(BrokerQueue.DeadLetterQueue,
            new Dictionary<string, object?> { ["x-first-death-queue"] = Bytes("user-registered") }));
        Assert.Equal("account-deleted", ReplayRules.TargetOf(BrokerQueue.DeadLetterQueue,
            new Dictionary<string, object?> { ["x-first-death-queue"] = Bytes("user-registered"), ["x-last-death-queue"] = Bytes("account-deleted") }));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(BrokerQueue.DeadLetterQueue)]
    public void A_dead_letter_that_names_no_queue_or_only_the_dead_letter_queue_has_nowhere_to_go(string? named)
    {
        var headers = named is null ? null : new Dictionary<string, object?> { ["x-death"] = new List<object?> { Death(named, "rejected", 0) } };
        Assert.Null(ReplayRules.TargetOf(BrokerQueue.DeadLetterQueue, headers));
    }

    [Fact]
    public void A_forged_x_death_of_the_wrong_shape_names_nothing()
    {
        Assert.Null(ReplayRules.TargetOf(BrokerQueue.DeadLetterQueue, new Dictionary<string, object?> { ["x-death"] = Bytes("user-registered") }));
        Assert.Null(ReplayRules.TargetOf(BrokerQueue.DeadLetterQueue, new Dictionary<string, object?> { ["x-death"] = new List<object?> { 42L, Bytes("x") } }));
    }

    [Fact]
    public void A_replay_drops_the_failures_headers_and_keeps_the_messages_own()
    {
        var parked = new Dictionary<string, object?>
        {
            ["MT-Fault-ExceptionType"] = Bytes("Npgsql.PostgresException"),
            ["MT-Fault-Message"] = Bytes("23502: null value"),
            ["MT-Fault-StackTrace"] = Bytes("at …"),
            ["MT-Fault-Timestamp"] = Bytes("2026-11-30T03:00:00Z"),
            ["MT-Fault-ConsumerType"] = Bytes("UserRegisteredConsumer"),
            ["MT-Fault-InputAddress"] = Bytes("rabbitmq://localhost/user-registered"),
            ["MT-Fault-RetryCount"] = 0,
            ["MT-Reason"] = Bytes("fault"),
            ["MT-Host-MachineName"] = Bytes("notifier-1"),
            ["MT-Host-Info"] = Bytes("{}"),
            ["MT-Redelivery-Count"] = 1,
            ["x-death"] = new List<object?>(),
            ["x-first-death-queue"] = Bytes("user-registered"),
            ["x-last-death-reason"] = Bytes("rejected"),
            ["x-delivery-count"] = 3L,
            ["MT-Activity-Id"] = Bytes("00-abc-def-01"),
            ["MessageId"] = Bytes(Id.ToString()),
            ["Content-Type"] = Bytes("application/vnd.masstransit+json"),
            ["traceparent"] = Bytes("00-abc-def-01"),
        };

        var replayed = ReplayRules.HeadersForReplay(parked);

        Assert.Equal(["Content-Type", "MT-Activity-Id", "MessageId", "traceparent"], replayed.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(ReplayRules.HeadersForReplay(null));
    }

    [Fact]
    public void The_replayed_copy_keeps_every_property_and_the_message_id()
    {
        var parked = new BasicProperties
        {
            MessageId = Id.ToString(),
            CorrelationId = "c-1",
            ContentType = "application/vnd.masstransit+json",
            DeliveryMode = DeliveryModes.Persistent,
            Headers = new Dictionary<string, object?> { ["MT-Fault-Message"] = Bytes("boom"), ["MessageId"] = Bytes(Id.ToString()) },
        };

        var copy = ReplayRules.PropertiesForReplay(parked);

        Assert.Equal(Id.ToString(), copy.MessageId);
        Assert.Equal("c-1", copy.CorrelationId);
        Assert.Equal("application/vnd.masstransit+json", copy.ContentType);
        Assert.Equal(DeliveryModes.Persistent, copy.DeliveryMode);
        Assert.Equal(["MessageId"], copy.Headers!.Keys);
        // The parked message itself is untouched (it stays in its queue until the copy is confirmed).
        Assert.True(parked.Headers!.ContainsKey("MT-Fault-Message"));
    }

    [Fact]
    public void The_message_id_is_the_property_or_else_the_header()
    {
        Assert.Equal(Id, ReplayRules.MessageIdOf(Id.ToString(), null));
        Assert.Equal(Id, ReplayRules.MessageIdOf(null, new Dictionary<string, object?> { ["MessageId"] = Bytes(Id.ToString()) }));
        Assert.Null(ReplayRules.MessageIdOf("not-a-guid", new Dictionary<string, object?>()));
    }

    [Fact]
    public void The_fault_time_is_MassTransits_when_it_gave_one()
    {
        var headers = Dead("user-registered");
        headers["MT-Fault-Timestamp"] = Bytes("2026-11-30T03:00:00.0000000Z");

        Assert.Equal(new DateTimeOffset(2026, 11, 30, 3, 0, 0, TimeSpan.Zero), ReplayRules.FaultedAt(headers));
        Assert.Null(ReplayRules.FaultedAt(null));
    }

    [Fact]
    public void The_type_comes_from_the_envelope_and_nothing_else_of_the_body_is_read()
    {
        var body = Bytes("""{"messageId":"x","conversationId":"y","messageType":["urn:message:SalesMind.Contracts:UserRegistered","urn:message:Other"],"message":{"verificationUrl":"https://x/?token=secret"}}""");

        Assert.Equal("urn:message:SalesMind.Contracts:UserRegistered", ReplayRules.MessageTypeOf(null, body));
        Assert.Equal("urn:message:A", ReplayRules.MessageTypeOf(new Dictionary<string, object?> { ["MT-MessageType"] = Bytes("urn:message:A;urn:message:B") }, body));
        Assert.Null(ReplayRules.MessageTypeOf(null, Bytes("not json")));
        Assert.Null(ReplayRules.MessageTypeOf(null, Bytes("""{"message":{"messageType":["nested"]}}""")));
        Assert.Null(ReplayRules.MessageTypeOf(null, Bytes("""{"messageType":""")));
    }

    [Fact]
    public void Shown_headers_never_carry_a_live_link_and_are_cut()
    {
        var shown = ReplayRules.Shown(new Dictionary<string, object?>
        {
            ["MT-Fault-Message"] = Bytes("Could not send https://salesmind.example/api/auth/verify-email/?token=abc123secret"),
            ["MT-Fault-StackTrace"] = Bytes(new string('x', 10_000)),
            ["x-death"] = new List<object?> { Death("user-registered", "rejected", 0) },
            ["MT-Fault-RetryCount"] = 3,
        });

        Assert.DoesNotContain("abc123secret", shown["MT-Fault-Message"]);
        Assert.Contains("token=[redacted]", shown["MT-Fault-Message"]);
        Assert.True(shown["MT-Fault-StackTrace"].Length <= ReplayRules.ShownValueLength + 1);
        Assert.Contains("queue: user-registered", shown["x-death"]);
        Assert.Equal("3", shown["MT-Fault-RetryCount"]);
    }
}
