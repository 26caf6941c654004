using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace SalesMind.Notifier.Ledger;

/// <summary>
/// The failure counters: <c>salesmind.delivery.failures</c> (every classified failure, by class
/// and the status it left the delivery in) and <c>salesmind.delivery.policy_failures</c>
/// (throttled and auth failures, by class and recipient domain: the operator's "gmail.com
/// refuses us" signal; see the <c>SenderThrottledOrBlocked</c> alert).
/// </summary>
internal static class FailureMetrics
{
    private static readonly Meter Meter = new(DeliveryLedger.MeterName);

    private static readonly Counter<long> Failures = Meter.CreateCounter<long>(
        "salesmind.delivery.failures", description: "Delivery failures by class (hard, soft, throttled, auth, unknown) and resulting status (deferred, failed, abandoned, bounced)");

    private static readonly Counter<long> PolicyFailures = Meter.CreateCounter<long>(
        "salesmind.delivery.policy_failures", description: "Throttled and auth failures (the receiver refuses the sender), by class and recipient domain");

    /// <summary>
    /// Distinct domains one process tags <c>policy_failures</c> with; later ones are counted as
    /// <c>other</c>. Anyone can sign up with an address at a domain of their own that answers 421,
    /// so the label's values must be bounded; the receivers that throttle a sender are a handful
    /// of large providers, well inside this.
    /// </summary>
    internal const int MaxDomains = 100;

    internal const string OtherDomain = "other";

    private static readonly ConcurrentDictionary<string, byte> Domains = new(StringComparer.Ordinal);

    public static void Count(FailureClass failureClass, DeliveryStatus status, string recipient)
    {
        Failures.Add(1, new KeyValuePair<string, object?>("class", failureClass.Name()), new KeyValuePair<string, object?>("status", status.Name()));
        if (FailurePolicy.RaisesAlert(failureClass))
        {
            PolicyFailures.Add(1, new KeyValuePair<string, object?>("class", failureClass.Name()), new KeyValuePair<string, object?>("domain", DomainTag(recipient)));
        }
    }

    /// <summary>The recipient's domain in lower case, while fewer than <see cref="MaxDomains"/> are in use; else <c>other</c>.</summary>
    internal static string DomainTag(string recipient)
    {
        var at = recipient.LastIndexOf('@');
        var domain = at >= 0 ? recipient[(at + 1)..].Trim().ToLowerInvariant() : "";
        if (domain.Length is 0 or > 253)
        {
            return OtherDomain;
        }

        if (Domains.ContainsKey(domain))
        {
            return domain;
        }

        if (Domains.Count >= MaxDomains)
        {
            return OtherDomain;
        }

        Domains.TryAdd(domain, 0);
        return domain;
    }
}
