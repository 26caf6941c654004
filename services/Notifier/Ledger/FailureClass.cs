namespace SalesMind.Notifier.Ledger;

/// <summary>
/// Why a delivery failed or was delayed, from the enhanced status code and the reply text (see
/// <c>FailureClassifier</c>). Decides what the failure does: only hard bounces (and repeated soft
/// ones) suppress the address; throttling and policy blocks are the sender's problem and raise
/// an operator alert instead. Stored, shown and counted in lower case.
/// </summary>
public enum FailureClass
{
    /// <summary>The address or its domain does not exist (5.1.1 unknown user, 5.1.2 bad domain, 5.1.10 null MX).</summary>
    Hard,

    /// <summary>The mailbox exists but cannot take mail now (mailbox full 4.2.2 / 5.2.2, most 4.x.x).</summary>
    Soft,

    /// <summary>The receiver throttles or blocks the sender by its policy (421, 4.7.x, 5.7.1 "blocked", "too many connections", "rate limited").</summary>
    Throttled,

    /// <summary>The receiver rejects the message's authentication (SPF, DKIM or DMARC; 5.7.26, 5.7.23, 5.7.25…).</summary>
    Auth,

    /// <summary>No rule matched.</summary>
    Unknown,
}

public static class FailureClassNames
{
    /// <summary>Lower case, e.g. <c>throttled</c>.</summary>
    public static string Name(this FailureClass failureClass) => failureClass.ToString().ToLowerInvariant();
}
