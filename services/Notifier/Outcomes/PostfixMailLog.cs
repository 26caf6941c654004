using Microsoft.Extensions.Options;

namespace SalesMind.Notifier.Outcomes;

/// <summary>
/// What the mail server already accepted, read from Postfix's log. This is how the dispatcher
/// settles a delivery whose fate is in doubt (the Notifier died between handing the message
/// over and recording the server's answer) without sending it twice.
/// </summary>
/// <remarks>
/// A message counts as accepted only when both lines exist: <c>cleanup: ID: message-id=&lt;…&gt;</c>
/// (written while the message is received) and <c>qmgr: ID: from=&lt;…&gt;</c> (written once the
/// queue file is committed). A client that vanished in the middle of DATA leaves only the first,
/// and its message was discarded: that delivery must be sent again. The committed message must
/// also come from the delivery's own signed return path: anyone can hand the server a message
/// with a chosen Message-ID, but only this service can sign the sender (so a planted copy cannot
/// mark a delivery accepted that was never sent).
/// </remarks>
public sealed class PostfixMailLog(IOptions<MailLogOptions> options)
{
    /// <summary>How much of the end of the log is read: in-doubt deliveries are minutes old, not days.</summary>
    private const long TailBytes = 256L * 1024 * 1024;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(options.Value.MailLogPath);

    /// <summary>
    /// For each Message-ID the server accepted from its expected sender (the delivery's signed
    /// return path), its queue id. Ids not found are absent.
    /// </summary>
    public async Task<Dictionary<string, string>> FindAcceptedAsync(IReadOnlyDictionary<string, string> sendersByMessageId, CancellationToken ct)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        var path = options.Value.MailLogPath;
        if (string.IsNullOrWhiteSpace(path) || sendersByMessageId.Count == 0)
        {
            return found;
        }

        var queueIdsByMessageId = new Dictionary<string, string>(StringComparer.Ordinal);
        var senders = new Dictionary<string, string>(StringComparer.Ordinal);

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length > TailBytes)
        {
            stream.Seek(-TailBytes, SeekOrigin.End);
        }

        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            // One reader for the whole log (PostfixLogLine): anchored, fields in order. Only two
            // daemons' lines matter; the cheap test skips the rest of a long log unparsed.
            if (!line.Contains("/cleanup[", StringComparison.Ordinal) && !line.Contains("/qmgr[", StringComparison.Ordinal))
            {
                continue;
            }

            if (PostfixLogLine.Parse(line) is not { } entry)
            {
                continue;
            }

            if (entry is { Daemon: "cleanup", FirstField: "message-id" } && sendersByMessageId.ContainsKey(entry["message-id"]!))
            {
                queueIdsByMessageId[entry["message-id"]!] = entry.QueueId;
            }
            else if (entry is { Daemon: "qmgr", FirstField: "from" })
            {
                senders[entry.QueueId] = entry["from"]!;
            }
        }

        foreach (var (messageId, queueId) in queueIdsByMessageId)
        {
            if (senders.TryGetValue(queueId, out var sender)
                && string.Equals(sender, sendersByMessageId[messageId], StringComparison.OrdinalIgnoreCase))
            {
                found[messageId] = queueId;
            }
        }

        return found;
    }

    /// <summary>
    /// The complete lines appended since <paramref name="cursor"/> (the mail-log follower's
    /// place in the file), moving it on; an incomplete last line waits for the next read. The
    /// first read starts <paramref name="catchUpBytes"/> before the end; a file that shrank
    /// (rotated or truncated) is read again from its top. None while the file does not exist.
    /// </summary>
    public async Task<IReadOnlyList<string>> ReadNewLinesAsync(MailLogCursor cursor, long catchUpBytes, CancellationToken ct)
    {
        var path = options.Value.MailLogPath;
        if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
        {
            return [];
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (cursor.Position < 0)
        {
            cursor.Position = Math.Max(0, stream.Length - catchUpBytes);
            cursor.CaughtUpFrom = stream.Length - cursor.Position;
        }
        else if (stream.Length < cursor.Position)
        {
            cursor.Position = 0;
            cursor.Partial = "";
        }

        stream.Seek(cursor.Position, SeekOrigin.Begin);
        using var reader = new StreamReader(stream);
        var text = cursor.Partial + await reader.ReadToEndAsync(ct);
        cursor.Position = stream.Position;
        var lastNewline = text.LastIndexOf('\n');
        cursor.Partial = lastNewline < 0 ? text : text[(lastNewline + 1)..];
        return lastNewline < 0 ? [] : text[..lastNewline].Split('\n');
    }
}

/// <summary>A reader's place in the mail log.</summary>
public sealed class MailLogCursor
{
    /// <summary>The byte offset read up to; negative before the first read.</summary>
    public long Position { get; set; } = -1;

    /// <summary>The start of a line not yet complete.</summary>
    public string Partial { get; set; } = "";

    /// <summary>How many bytes before the end the first read started.</summary>
    public long CaughtUpFrom { get; set; }
}
