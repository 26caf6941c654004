namespace SalesMind.Notifier.Ledger;

/// <summary>
/// What a classified failure does to its address. Only the address's own fault suppresses it:
/// a hard failure at once, soft ones when they repeat. Throttling and authentication failures
/// are the sender's problem (a blocklist, a rate, a missing DKIM key): suppressing the user would
/// punish them for it, so these raise an operator alert instead.
/// </summary>
public static class FailurePolicy
{
    /// <summary>The statuses a failure leaves a delivery in.</summary>
    public static readonly DeliveryStatus[] FailureStatuses = [DeliveryStatus.Deferred, DeliveryStatus.Failed, DeliveryStatus.Abandoned, DeliveryStatus.Bounced];

    /// <summary>The statuses a failure ends a delivery in: nothing more is tried.</summary>
    public static readonly DeliveryStatus[] FinalFailures = [DeliveryStatus.Failed, DeliveryStatus.Abandoned, DeliveryStatus.Bounced];

    /// <summary>Whether <paramref name="status"/> is the result of a failure (the event then carries the class).</summary>
    public static bool IsFailure(DeliveryStatus status) => FailureStatuses.Contains(status);

    /// <summary>A hard failure that ended the delivery (a bounce, or a 5xx refusal at submission) suppresses the address now.</summary>
    public static bool SuppressesAtOnce(FailureClass failureClass, DeliveryStatus status) =>
        failureClass == FailureClass.Hard && FinalFailures.Contains(status);

    /// <summary>A soft failure that ended the delivery counts towards <see cref="BounceOptions.SoftBouncesBeforeSuppression"/>.</summary>
    public static bool CountsAsSoftBounce(FailureClass failureClass, DeliveryStatus status) =>
        failureClass == FailureClass.Soft && FinalFailures.Contains(status);

    /// <summary>
    /// Whether <paramref name="softBounces"/> deliveries to one address that ended soft within
    /// the window (this one included) suppress it.
    /// </summary>
    public static bool SoftBouncesSuppress(int softBounces, BounceOptions options) =>
        options.SoftBouncesBeforeSuppression > 0 && softBounces >= options.SoftBouncesBeforeSuppression;

    /// <summary>Throttled and auth failures never suppress; they tell the operator the receiver refuses the sender.</summary>
    public static bool RaisesAlert(FailureClass failureClass) => failureClass is FailureClass.Throttled or FailureClass.Auth;
}
