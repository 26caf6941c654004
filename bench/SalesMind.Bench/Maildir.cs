namespace SalesMind.Bench;

/// <summary>
/// When mail for given addresses landed in the stack's one Maildir: the file's mtime (written by
/// Postfix's virtual agent just before it is renamed into new/), keyed by X-Original-To.
/// Each file's headers are read once, however often <see cref="Refresh"/> runs.
/// </summary>
public sealed class MaildirWatch(string maildir, DateTime sinceUtc)
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTime> _arrivals = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyDictionary<string, DateTime> Arrivals => _arrivals;

    public void Refresh()
    {
        foreach (var folder in new[] { "new", "cur" })
        {
            var dir = Path.Combine(maildir, folder);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(dir))
            {
                var key = Path.GetFileName(file).Split(':')[0];
                if (_seen.Contains(key))
                {
                    continue;
                }

                try
                {
                    var mtime = File.GetLastWriteTimeUtc(file);
                    _seen.Add(key);
                    if (mtime < sinceUtc)
                    {
                        continue;
                    }

                    var to = OriginalTo(file);
                    if (to is not null && !_arrivals.ContainsKey(to))
                    {
                        _arrivals[to] = mtime;
                    }
                }
                catch (IOException)
                {
                    _seen.Remove(key);
                }
            }
        }
    }

    /// <summary>The X-Original-To header of a Maildir file (headers only are read).</summary>
    public static string? OriginalTo(string file)
    {
        foreach (var line in File.ReadLines(file))
        {
            if (line.Length == 0)
            {
                break;
            }

            if (line.StartsWith("X-Original-To:", StringComparison.OrdinalIgnoreCase))
            {
                return line["X-Original-To:".Length..].Trim();
            }
        }

        return null;
    }

    /// <summary>Size in bytes of the newest message for an address starting with <paramref name="prefix"/>, or null.</summary>
    public static long? SizeOfOne(string maildir, string prefix)
    {
        var dir = new DirectoryInfo(Path.Combine(maildir, "new"));
        if (!dir.Exists)
        {
            return null;
        }

        foreach (var file in dir.EnumerateFiles().OrderByDescending(f => f.LastWriteTimeUtc).Take(200))
        {
            if (OriginalTo(file.FullName)?.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) == true)
            {
                return file.Length;
            }
        }

        return null;
    }
}
