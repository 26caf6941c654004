using System.Text.Json;
using SalesMind.Contracts;
using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.Webhooks;

/// <summary>The events an endpoint can ask for, and the JSON body each is posted as.</summary>
public static class WebhookEvents
{
    /// <summary>The statuses announced, each as the event of the same name, in the order the API and the page list them.</summary>
    private static readonly DeliveryStatus[] Announced =
        [DeliveryStatus.Delivered, DeliveryStatus.Bounced, DeliveryStatus.Complained, DeliveryStatus.Deferred, DeliveryStatus.Failed, DeliveryStatus.Suppressed];

    /// <summary>Every event an endpoint may subscribe to: delivered, bounced, complained, deferred, failed, suppressed.</summary>
    public static readonly IReadOnlyList<string> All = [.. Announced.Select(s => s.Name())];

    /// <summary>The <c>type</c> of an admin's test event.</summary>
    public const string TestType = "test";

    /// <summary>
    /// The event a delivery status is announced as, or null when it is not announced (queued,
    /// sending and sent are the Notifier's own business). Abandoned (temporary failures past the
    /// last retry) is a failure to the receiver, like failed.
    /// </summary>
    public static string? For(string status)
    {
        if (!Enum.TryParse<DeliveryStatus>(status, ignoreCase: true, out var s) || s.Name() != status)
        {
            return null;
        }

        return s == DeliveryStatus.Abandoned ? DeliveryStatus.Failed.Name() : Announced.Contains(s) ? s.Name() : null;
    }

    /// <summary>The <c>type</c> field of an event, e.g. <c>delivery.bounced</c>.</summary>
    public static string TypeOf(string @event) => "delivery." + @event;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public sealed record Payload(Guid Id, string Type, DateTimeOffset CreatedAt, object Data);

    public sealed record DeliveryData(
        Guid DeliveryId, string Template, string Recipient, string Status, string? FailureClass, string? Diagnostic, int Attempt, DateTimeOffset OccurredAt);

    public sealed record TestData(Guid EndpointId, string Message);

    /// <summary>The body posted for a status change (its <c>status</c> is the event, so abandoned reads <c>failed</c>).</summary>
    public static string DeliveryPayload(Guid eventId, string @event, EmailDeliveryStatusChanged m, DateTimeOffset createdAt) =>
        JsonSerializer.Serialize(new Payload(eventId, TypeOf(@event), createdAt,
            new DeliveryData(m.DeliveryId, m.Template, m.Recipient, @event, m.FailureClass, m.Diagnostic, m.Attempt, m.OccurredAt)), Json);

    public static string TestPayload(Guid eventId, Guid endpointId, DateTimeOffset createdAt) =>
        JsonSerializer.Serialize(new Payload(eventId, TestType, createdAt,
            new TestData(endpointId, "A test event from SalesMind: if its signature checks out, this endpoint is ready.")), Json);
}

/// <summary>When a failed POST is tried again: three times the previous wait, ±20 % so endpoints that failed together do not retry together.</summary>
public static class WebhookBackoff
{
    /// <summary>The wait after the <paramref name="failedAttempts"/>-th failed try; <paramref name="jitter"/> in [0, 1) spreads it by ±20 %.</summary>
    public static TimeSpan Delay(int failedAttempts, TimeSpan first, TimeSpan max, double jitter)
    {
        var exponent = Math.Clamp(failedAttempts - 1, 0, 40);
        var nominal = Math.Min(first.TotalMilliseconds * Math.Pow(3, exponent), max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(nominal * (0.8 + (0.4 * Math.Clamp(jitter, 0, 1))));
    }
}
