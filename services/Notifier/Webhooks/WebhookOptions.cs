using System.ComponentModel.DataAnnotations;
using System.Net;

namespace SalesMind.Notifier.Webhooks;

/// <summary>How outcome webhooks are sent (section <c>Webhooks</c>).</summary>
public sealed class WebhookOptions : IValidatableObject
{
    public const string Section = "Webhooks";

    /// <summary>
    /// Allow <c>http://</c> endpoints (tests and the local stack only): without TLS the receiver
    /// cannot be sure who sent an event, and anyone on the path can read it.
    /// </summary>
    public bool AllowHttp { get; set; }

    /// <summary>
    /// Private or loopback networks (CIDR, e.g. <c>10.20.0.0/16</c>) endpoints may be in after all.
    /// Empty by default: an endpoint must be on a public address, so an admin token cannot make
    /// the Notifier call the database, the broker or a cloud metadata service (SSRF).
    /// </summary>
    public List<string> AllowedPrivateNetworks { get; set; } = [];

    /// <summary>Tries per event before it is marked failed (the first POST included).</summary>
    [Range(1, 30, ErrorMessage = "Webhooks:MaxAttempts must be between 1 and 30.")]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The wait after the first failed try; each next wait is three times longer (±20 %), up to <see cref="MaxRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00", ErrorMessage = "Webhooks:FirstRetryDelay must be between 10 ms and 1 day.")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between two tries. With the defaults the tries spread over about ten hours.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "7.00:00:00", ErrorMessage = "Webhooks:MaxRetryDelay must be between 10 ms and 7 days.")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How long one POST may take, from connecting to the answer's headers.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:02:00", ErrorMessage = "Webhooks:Timeout must be between 100 ms and 2 minutes.")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the sender looks for due events when nothing woke it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00", ErrorMessage = "Webhooks:PollInterval must be between 50 ms and 10 minutes.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a sender owns an event it is posting; another instance takes it over after that
    /// (the first one died). Longer than <see cref="Timeout"/>, or a slow POST is sent twice.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Webhooks:LockDuration must be between 1 second and 1 hour.")]
    public TimeSpan LockDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>POSTs under way at once in one Notifier.</summary>
    [Range(1, 100, ErrorMessage = "Webhooks:MaxInFlight must be between 1 and 100.")]
    public int MaxInFlight { get; set; } = 8;

    /// <summary>The parsed <see cref="AllowedPrivateNetworks"/>.</summary>
    public IReadOnlyList<IPNetwork> AllowedNetworks() =>
        [.. AllowedPrivateNetworks.Where(n => !string.IsNullOrWhiteSpace(n)).Select(n => IPNetwork.Parse(n.Trim()))];

    /// <summary>CIDR whose address is the network's own (10.0.0.0/8, not 10.0.0.1/8, which is likely a typo for one host).</summary>
    private static bool IsNetwork(string text) =>
        IPNetwork.TryParse(text, out var network) && IPAddress.TryParse(text.Split('/')[0], out var address) && address.Equals(network.BaseAddress)
        && text.Contains('/');

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < AllowedPrivateNetworks.Count; i++)
        {
            var network = AllowedPrivateNetworks[i];
            if (!string.IsNullOrWhiteSpace(network) && !IsNetwork(network.Trim()))
            {
                yield return new ValidationResult(
                    $"{Section}:{nameof(AllowedPrivateNetworks)}:{i} (env {Section}__{nameof(AllowedPrivateNetworks)}__{i}) is '{network}': " +
                    "each entry must be a network in CIDR form with no host bits set, e.g. 10.20.0.0/16 or fd00:1::/64.",
                    [nameof(AllowedPrivateNetworks)]);
            }
        }

        if (MaxRetryDelay < FirstRetryDelay)
        {
            yield return new ValidationResult("Webhooks:MaxRetryDelay must not be shorter than Webhooks:FirstRetryDelay.", [nameof(MaxRetryDelay)]);
        }

        if (LockDuration < 2 * Timeout + TimeSpan.FromSeconds(5))
        {
            yield return new ValidationResult(
                "Webhooks:LockDuration must be at least 2 × Webhooks:Timeout + 5 s, or a slow POST could be taken over by another instance and sent twice.",
                [nameof(LockDuration)]);
        }
    }
}
