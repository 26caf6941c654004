using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MassTransit;
using RabbitMQ.Client;
using SalesMind.Outbox;

namespace SalesMind.Notifier.Admin;

/// <summary>
/// What a replay decides without a broker: which queues may be replayed, where a parked message
/// goes back to, which headers it loses on the way, and how a header is shown to an operator.
/// </summary>
public static class ReplayRules
{
    public const string ErrorSuffix = "_error";

    /// <summary>The header RabbitMQ adds when it dead-letters a message: one entry per (queue, reason), newest first.</summary>
    public const string DeathHeader = "x-death";

    /// <summary>Headers that describe the failure, not the message: a replayed message starts clean.</summary>
    private static readonly string[] StrippedPrefixes = ["MT-Fault-", "MT-Host-", "x-first-death-", "x-last-death-"];

    private static readonly HashSet<string> StrippedNames = new(StringComparer.OrdinalIgnoreCase)
    {
        MessageHeaders.Reason, DeathHeader, "x-delivery-count", MessageHeaders.RedeliveryCount,
    };

    /// <summary>Longest header value shown (a stack trace is cut there).</summary>
    public const int ShownValueLength = 2000;

    /// <summary>A MassTransit error queue (<c>X_error</c>, X not empty) or the broker's dead-letter queue.</summary>
    public static bool IsReplayable(string queue) =>
        (queue.Length > ErrorSuffix.Length && queue.EndsWith(ErrorSuffix, StringComparison.Ordinal)) || queue == BrokerQueue.DeadLetterQueue;

    /// <summary>
    /// The queue a parked message failed in: <c>X</c> for <c>X_error</c>; for the dead-letter
    /// queue, the queue named by the newest <c>x-death</c> entry (then the <c>x-last-death-queue</c>
    /// and <c>x-first-death-queue</c> headers). A message the broker dead-lettered out of an error
    /// queue (looked at too often there) goes back to the queue it failed in, not to the error
    /// queue. Null when no queue can be told, or the queue named is a parking place itself.
    /// </summary>
    public static string? TargetOf(string queue, IDictionary<string, object?>? headers)
    {
        if (queue != BrokerQueue.DeadLetterQueue)
        {
            return IsReplayable(queue) ? queue[..^ErrorSuffix.Length] : null;
        }

        var named = DeathsOf(headers).Select(d => Text(Get(d, "queue"))).FirstOrDefault(q => !string.IsNullOrEmpty(q))
            ?? Text(Get(headers, "x-last-death-queue"))
            ?? Text(Get(headers, "x-first-death-queue"));
        if (string.IsNullOrEmpty(named) || named == BrokerQueue.DeadLetterQueue)
        {
            return null;
        }

        return IsReplayable(named) ? named[..^ErrorSuffix.Length] : named;
    }

    /// <summary>Whether <paramref name="name"/> is dropped from a replayed message.</summary>
    public static bool IsStripped(string name) =>
        StrippedNames.Contains(name) || StrippedPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>The headers a replayed message carries: all but the failure's (the message id is a property, kept as it is).</summary>
    public static Dictionary<string, object?> HeadersForReplay(IDictionary<string, object?>? headers) =>
        (headers ?? new Dictionary<string, object?>()).Where(h => !IsStripped(h.Key)).ToDictionary(h => h.Key, h => h.Value, StringComparer.Ordinal);

    /// <summary>The message to publish again: every property of the parked one, its headers without the failure's.</summary>
    public static BasicProperties PropertiesForReplay(IReadOnlyBasicProperties parked)
    {
        var properties = new BasicProperties(parked) { Headers = HeadersForReplay(parked.Headers) };
        return properties;
    }

    /// <summary>MassTransit's message id: the AMQP property it sets, else its <c>MessageId</c> header.</summary>
    public static Guid? MessageIdOf(string? property, IDictionary<string, object?>? headers) =>
        Guid.TryParse(property, out var id) || Guid.TryParse(Text(Get(headers, MessageHeaders.MessageId)), out id) ? id : null;

    /// <summary>When the message failed: MassTransit's fault time, else when the broker dead-lettered it.</summary>
    public static DateTimeOffset? FaultedAt(IDictionary<string, object?>? headers)
    {
        if (Time(Get(headers, MessageHeaders.FaultTimestamp)) is { } faulted)
        {
            return faulted;
        }

        return DeathsOf(headers).Select(d => Time(Get(d, "time"))).FirstOrDefault(t => t is not null);
    }

    /// <summary>Why the broker dead-lettered it (<c>delivery_limit</c>, <c>rejected</c>, <c>expired</c>, <c>maxlen</c>), or null.</summary>
    public static string? DeathReasonOf(IDictionary<string, object?>? headers) =>
        DeathsOf(headers).Select(d => Text(Get(d, "reason"))).FirstOrDefault(r => r is not null);

    /// <summary>
    /// The message's type: MassTransit's header when present, else the first <c>messageType</c>
    /// of its JSON envelope (only that field is read; the body is never shown).
    /// </summary>
    public static string? MessageTypeOf(IDictionary<string, object?>? headers, ReadOnlySpan<byte> body)
    {
        if (Text(Get(headers, MessageHeaders.MessageType)) is { Length: > 0 } fromHeader)
        {
            return fromHeader.Split(';')[0];
        }

        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("messageType");
                reader.Read();
                if (isType && reader.TokenType == JsonTokenType.StartArray && reader.Read() && reader.TokenType == JsonTokenType.String)
                {
                    return reader.GetString();
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON (or cut short): the type is simply unknown.
        }

        return null;
    }

    /// <summary>
    /// Every header as text an operator can read, with any live link's secret redacted (an
    /// exception message may quote one) and long values cut.
    /// </summary>
    public static SortedDictionary<string, string> Shown(IDictionary<string, object?>? headers)
    {
        var shown = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in headers ?? new Dictionary<string, object?>())
        {
            shown[name] = Cut(SecretRedaction.Redact(Text(value) ?? "")) ?? "";
        }

        return shown;
    }

    /// <summary>A header value as text: AMQP strings arrive as bytes, tables and arrays nest.</summary>
    public static string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        AmqpTimestamp ts => DateTimeOffset.FromUnixTimeSeconds(ts.UnixTime).ToString("O", CultureInfo.InvariantCulture),
        IDictionary<string, object?> table => "{" + string.Join(", ", table.Select(e => $"{e.Key}: {Text(e.Value)}")) + "}",
        IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Text)) + "]",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static object? Get(IDictionary<string, object?>? table, string name) =>
        table is not null && table.TryGetValue(name, out var value) ? value : null;

    internal static string? Cut(string? text, int length = ShownValueLength) =>
        text is null || text.Length <= length ? text : text[..length] + "…";

    private static DateTimeOffset? Time(object? value) => value switch
    {
        AmqpTimestamp ts => DateTimeOffset.FromUnixTimeSeconds(ts.UnixTime),
        DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
        DateTimeOffset dto => dto,
        long seconds => DateTimeOffset.FromUnixTimeSeconds(seconds),
        _ => DateTimeOffset.TryParse(Text(value), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed : null,
    };

    private static IEnumerable<IDictionary<string, object?>> DeathsOf(IDictionary<string, object?>? headers)
    {
        if (Get(headers, DeathHeader) is not IEnumerable deaths || deaths is byte[] or string)
        {
            yield break;
        }

        foreach (var death in deaths)
        {
            switch (death)
            {
                case IDictionary<string, object?> table:
                    yield return table;
                    break;
            }
        }
    }
}
