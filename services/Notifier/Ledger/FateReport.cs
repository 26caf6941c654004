namespace SalesMind.Notifier.Ledger;

/// <summary>One piece of news about a delivery after the hand-off.</summary>
/// <param name="Source"><see cref="ReportSources.Dsn"/> or <see cref="ReportSources.Log"/> (complaints, <see cref="ReportSources.Arf"/>, are applied by <c>DeliveryLedger.ApplyComplaintAsync</c>).</param>
/// <param name="Action">RFC 3464's action: <c>failed</c>, <c>delayed</c>, <c>delivered</c>, <c>relayed</c>, <c>expanded</c>.</param>
/// <param name="Status">The enhanced status code, e.g. <c>5.1.1</c>.</param>
public sealed record FateReport(string Source, string Action, string? Status, string? Diagnostic, string? RemoteMta);

/// <summary>What became of a report.</summary>
public enum FateOutcome
{
    /// <summary>Recorded; the delivery's status changed.</summary>
    Changed,

    /// <summary>Recorded; the delivery already knew as much (or more).</summary>
    Unchanged,

    /// <summary>The delivery is still being handed over: ask again later.</summary>
    TooEarly,

    /// <summary>No such delivery.</summary>
    Unknown,
}

/// <summary>RFC 3464's actions, as reports (and the mail log, translated) name them.</summary>
public static class ReportActions
{
    public const string Failed = "failed";
    public const string Delayed = "delayed";
    public const string Delivered = "delivered";
    public const string Relayed = "relayed";
    public const string Expanded = "expanded";

    /// <summary>Not RFC 3464's: the recipient reported the email as spam (a feedback report, source <see cref="ReportSources.Arf"/>).</summary>
    public const string Complained = "complained";
}

/// <summary>Where news after the hand-off came from (stored with each report).</summary>
public static class ReportSources
{
    /// <summary>A delivery status notification sent to the delivery's signed return path.</summary>
    public const string Dsn = "dsn";

    /// <summary>The mail server's own log.</summary>
    public const string Log = "log";

    /// <summary>A feedback-loop report (ARF, RFC 5965): the recipient's mailbox provider passing on a complaint.</summary>
    public const string Arf = "arf";
}
