using System.Text.RegularExpressions;
using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.Outcomes;

/// <summary>
/// A delivery agent's verdict on one recipient of one queued message, read from one Postfix log
/// line with <see cref="PostfixLogLine"/> (the one parser of the log, also behind
/// <see cref="PostfixMailLog"/>'s in-doubt check), as an RFC 3464 action.
/// </summary>
public sealed partial record PostfixOutcome(string QueueId, string Action, string? Status, string? Diagnostic, string? Relay, bool MayBeOurs)
{
    /// <summary>Outcome statuses a delivery agent writes (<c>status=…</c> after <c>to=&lt;…&gt;</c>).</summary>
    private static readonly string[] Verdicts = ["sent", "bounced", "deferred", "expired"];

    /// <summary>
    /// The outcome a log line reports, read with <see cref="PostfixLogLine"/> (anchored, fields in
    /// order): text an outsider put inside <c>from=&lt;…&gt;</c> or <c>to=&lt;…&gt;</c> is never a status.
    /// </summary>
    public static PostfixOutcome? Parse(string line)
    {
        if (PostfixLogLine.Parse(line) is not { } entry)
        {
            return null;
        }

        // The queue manager gives up on a message it could not deliver in time:
        // "qmgr[4207]: QID: from=<…>, status=expired, returned to sender".
        if (entry is { Daemon: "qmgr", FirstField: "from" })
        {
            return entry.Fields is [_, { Key: "status", Value: "expired" }]
                ? new PostfixOutcome(entry.QueueId, ReportActions.Failed, "4.4.7", "expired in the mail server's queue, returned to sender", null, true)
                : null;
        }

        // A delivery agent's verdict: "virtual[2379]: QID: to=<…>, [orig_to=<…>, ]relay=…, …, dsn=2.0.0, status=sent (text)".
        if (entry.FirstField != "to" || entry["status"] is not { } status || !Verdicts.Contains(status)
            || entry["dsn"] is not { } dsn || !DsnCode().IsMatch(dsn) || entry.Text is null)
        {
            return null;
        }

        var action = status switch
        {
            "sent" => ReportActions.Delivered,
            "deferred" => ReportActions.Delayed,
            _ => ReportActions.Failed,
        };
        // Reports we receive are themselves mail (to the bounce domain): never a delivery of ours.
        var mayBeOurs = !entry["to"]!.StartsWith(SignedReturnPath.Prefix, StringComparison.OrdinalIgnoreCase);
        return new PostfixOutcome(entry.QueueId, action, dsn, entry.Text, entry["relay"], mayBeOurs);
    }

    [GeneratedRegex(@"^\d\.\d{1,3}\.\d{1,3}$")]
    private static partial Regex DsnCode();
}
