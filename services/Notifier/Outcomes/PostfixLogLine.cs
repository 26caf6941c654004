using System.Text.RegularExpressions;

namespace SalesMind.Notifier.Outcomes;

/// <summary>
/// One line of Postfix's log about one queued message, read the way Postfix writes it, for both
/// readers of the log (<see cref="PostfixMailLog"/> and the mail-log follower):
/// <c>TIMESTAMP HOST postfix[/service…]/DAEMON[PID]: QUEUEID: name=value, name=&lt;address&gt;, … (text)</c>.
/// </summary>
/// <remarks>
/// Outsiders write into this log: the envelope sender of any mail handed to the server
/// (<c>from=&lt;…&gt;</c>), the recipients they sign up with (<c>to=&lt;…&gt;</c>), remote servers' replies.
/// Postfix quotes such text but does not escape it, so a line is only trusted from its start
/// (anchored: the queue id is the one Postfix put there, never text found further along), and
/// its fields are read in order, an address up to the <c>&gt;</c> that closes it outside double
/// quotes. Text inside <c>from=&lt;…&gt;</c> therefore can never be read as another field, a status
/// or another message's line.
/// </remarks>
public sealed partial record PostfixLogLine(string Daemon, string QueueId, IReadOnlyList<KeyValuePair<string, string>> Fields, string? Text)
{
    /// <summary>The value of the first field named <paramref name="name"/> (addresses without their brackets).</summary>
    public string? this[string name] => Fields.FirstOrDefault(f => f.Key == name).Value;

    /// <summary>The name of the first field: <c>to</c> for a delivery agent's verdict, <c>from</c> for the queue manager's lines.</summary>
    public string? FirstField => Fields.Count > 0 ? Fields[0].Key : null;

    /// <summary>The parsed line, or null when it is not a Postfix line about a queued message (or does not read cleanly).</summary>
    public static PostfixLogLine? Parse(string line)
    {
        var head = Head().Match(line);
        if (!head.Success)
        {
            return null;
        }

        var rest = line.AsSpan(head.Length).TrimEnd();
        var fields = new List<KeyValuePair<string, string>>();
        string? text = null;
        while (!rest.IsEmpty)
        {
            var equals = rest.IndexOf('=');
            if (equals <= 0 || !IsName(rest[..equals]))
            {
                // Free text after the fields ("returned to sender", "removed").
                text = rest.ToString();
                break;
            }

            var name = rest[..equals].ToString();
            rest = rest[(equals + 1)..];
            string value;
            if (rest.StartsWith("<"))
            {
                var close = ClosingBracket(rest);
                if (close < 0)
                {
                    return null;
                }

                value = rest[1..close].ToString();
                rest = rest[(close + 1)..];
            }
            else
            {
                var end = rest.IndexOfAny(',', ' ');
                end = end < 0 ? rest.Length : end;
                value = rest[..end].ToString();
                rest = rest[end..];
            }

            fields.Add(new(name, value));
            if (rest.StartsWith(", "))
            {
                rest = rest[2..];
            }
            else if (rest.StartsWith(" (") && rest.EndsWith(")"))
            {
                // The explanation closes the line: "status=sent (delivered to maildir)".
                text = rest[2..^1].ToString();
                break;
            }
            else if (!rest.IsEmpty)
            {
                return null;
            }
        }

        return new PostfixLogLine(head.Groups["daemon"].Value, head.Groups["qid"].Value, fields, text);
    }

    private static bool IsName(ReadOnlySpan<char> name)
    {
        foreach (var c in name)
        {
            if (!(c is >= 'a' and <= 'z' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The index of the <c>&gt;</c> that closes the address at the start of <paramref name="text"/>, outside quotes; -1 if none.</summary>
    private static int ClosingBracket(ReadOnlySpan<char> text)
    {
        var quoted = false;
        for (var i = 1; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\\' when quoted:
                    i++;
                    break;
                case '"':
                    quoted = !quoted;
                    break;
                case '>' when !quoted:
                    return i;
            }
        }

        return -1;
    }

    // Start of line; the timestamp (syslog's "Nov 29 15:38:16" or RFC 3339's); the host; the
    // syslog name ("postfix", or "postfix/submission" and the like) and the daemon with its pid;
    // the queue id Postfix gave the message (short: upper-case hex; long: base 52 without vowels,
    // so no word such as "warning" or "NOQUEUE" passes for one).
    [GeneratedRegex(@"^(?:[A-Z][a-z]{2} [ 0-9]?\d \d{2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})) [A-Za-z0-9._-]+ postfix(?:/[A-Za-z0-9._-]+)*?/(?<daemon>[a-z0-9_-]+)\[\d+\]: (?<qid>[0-9A-F]{6,20}|[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{10,32}): ", RegexOptions.CultureInvariant)]
    private static partial Regex Head();
}
