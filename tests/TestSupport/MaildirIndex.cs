using MimeKit;

namespace SalesMind.TestSupport;

/// <summary>
/// Who got how many messages, and when they landed, for large runs: each Maildir file's headers
/// are read once, however often the index is refreshed.
/// </summary>
public sealed class MaildirIndex
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<DateTime>> _arrivals = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads the files that arrived since the last refresh.</summary>
    public void Refresh()
    {
        foreach (var folder in new[] { "new", "cur" })
        {
            var dir = Path.Combine(Stack.Maildir, folder);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(dir))
            {
                // Maildir files move from new/ to cur/ when read: key on the unique base name.
                var key = Path.GetFileName(file).Split(':')[0];
                if (_seen.Contains(key))
                {
                    continue;
                }

                try
                {
                    using var stream = File.OpenRead(file);
                    var headers = HeaderList.Load(stream);
                    var to = headers["X-Original-To"];
                    if (to is not null)
                    {
                        if (!_arrivals.TryGetValue(to, out var list))
                        {
                            _arrivals[to] = list = [];
                        }

                        list.Add(File.GetLastWriteTimeUtc(file));
                    }

                    _seen.Add(key);
                }
                catch (IOException)
                {
                    // Moved or being moved: read it on the next refresh.
                }
            }
        }
    }

    /// <summary>When each message for <paramref name="address"/> landed (UTC), oldest first.</summary>
    public IReadOnlyList<DateTime> ArrivalsFor(string address) =>
        _arrivals.TryGetValue(address, out var list) ? list.Order().ToList() : [];
}
