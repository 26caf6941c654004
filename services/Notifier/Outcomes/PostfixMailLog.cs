using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
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
/// <para>
/// The log is rotated (renamed, or copied and truncated, then often gzipped): the lines sought
/// may be in the file at <see cref="MailLogOptions.MailLogPath"/> or in the rotated ones
/// (<see cref="MailLogOptions.RotatedPatterns"/>), and both readers look in both.
/// </para>
/// </remarks>
public sealed class PostfixMailLog(IOptions<MailLogOptions> options)
{
    /// <summary>How much of the log is searched, newest first: in-doubt deliveries are minutes old, not days.</summary>
    private const long TailBytes = 256L * 1024 * 1024;

    /// <summary>The most of a first line that is hashed (a longer one is known by its start).</summary>
    private const int FirstLineLimit = 4096;

    /// <summary>The identity stored when the platform cannot tell one (the first line's hash then decides).</summary>
    public const string UnknownFileId = "?";

    /// <summary>The most one read hands out; the rest is read at once by the next call (<see cref="MailLogCursor.More"/>).</summary>
    internal int MaxReadBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>
    /// How many reads in a row may find the log rotated but not the rest of the file it was
    /// reading before giving up on that rest: a rotation under way (renamed, being gzipped) is
    /// found by the next read; a rest deleted or moved out of <see cref="MailLogOptions.RotatedPatterns"/> never is.
    /// </summary>
    internal int RestSearchReads { get; init; } = 10;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(options.Value.MailLogPath);

    /// <summary>
    /// For each Message-ID the server accepted from its expected sender (the delivery's signed
    /// return path), its queue id. Ids not found are absent. The current log is searched first,
    /// then the rotated files, newest first, until everything is found or the search's budget is spent.
    /// </summary>
    public async Task<Dictionary<string, string>> FindAcceptedAsync(IReadOnlyDictionary<string, string> sendersByMessageId, CancellationToken ct)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!IsConfigured || sendersByMessageId.Count == 0)
        {
            return found;
        }

        var queueIdsByMessageId = new Dictionary<string, string>(StringComparer.Ordinal);
        var senders = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var line in NewestLinesAsync(ct))
        {
            // One reader for the whole log (PostfixLogLine): anchored, fields in order. Only two
            // daemons' lines matter; the cheap test skips the rest of a long log unparsed.
            if (line == FileBoundary)
            {
                // Between files: stop once every message is found (both of its lines, in any of the files read).
                if (Accepted().Count == sendersByMessageId.Count)
                {
                    break;
                }

                continue;
            }

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

        return Accepted();

        Dictionary<string, string> Accepted()
        {
            found.Clear();
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
    }

    /// <summary>
    /// Postfix's delivery verdicts on the messages <paramref name="queueIds"/> (messages just
    /// found accepted by <see cref="FindAcceptedAsync"/>), oldest first, from the current log and
    /// the rotated files: the follower read them while those deliveries were still in doubt and
    /// could not tell whose they were, so without this their fate would be lost.
    /// </summary>
    public async Task<List<PostfixOutcome>> FindOutcomesAsync(IReadOnlyCollection<string> queueIds, CancellationToken ct)
    {
        var outcomes = new List<(int File, int Line, PostfixOutcome Outcome)>();
        if (!IsConfigured || queueIds.Count == 0)
        {
            return [];
        }

        var wanted = queueIds.ToHashSet(StringComparer.Ordinal);
        var file = 0;
        var number = 0;
        await foreach (var line in NewestLinesAsync(ct))
        {
            number++;
            if (line == FileBoundary)
            {
                file++;
                continue;
            }

            if (line.Contains(" status=", StringComparison.Ordinal) && PostfixOutcome.Parse(line) is { } outcome && wanted.Contains(outcome.QueueId))
            {
                outcomes.Add((file, number, outcome));
            }
        }

        // Files were read newest first, each from its top: older files first, then line order.
        return [.. outcomes.OrderByDescending(o => o.File).ThenBy(o => o.Line).Select(o => o.Outcome)];
    }

    /// <summary>Marks the end of one file in <see cref="NewestLinesAsync"/> (no log line is empty).</summary>
    private static readonly string FileBoundary = new('\0', 1);

    /// <summary>
    /// The end of the current log (up to the budget), then the rotated files newest first, each
    /// followed by <see cref="FileBoundary"/>, until <see cref="TailBytes"/> is spent.
    /// </summary>
    private async IAsyncEnumerable<string> NewestLinesAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var budget = TailBytes;
        var path = options.Value.MailLogPath!;
        var files = new List<string>();
        if (File.Exists(path))
        {
            files.Add(path);
        }

        files.AddRange(RotatedFiles());
        var pending = new Queue<string>(files);
        var listed = files.ToHashSet(StringComparer.Ordinal);
        var listedAgain = false;
        while (pending.TryDequeue(out var name))
        {
            if (budget <= 0)
            {
                yield break;
            }

            FileStream file;
            try
            {
                file = OpenPlain(name);
            }
            catch (FileNotFoundException)
            {
                // Rotated away, or compressed (gzip removes the plain file once the .gz is
                // complete) since it was listed: list once more, so its new name is read too.
                if (!listedAgain)
                {
                    listedAgain = true;
                    foreach (var again in RotatedFiles().Where(listed.Add))
                    {
                        pending.Enqueue(again);
                    }
                }

                continue;
            }

            long start = 0;
            if (!IsCompressed(name) && file.Length > budget)
            {
                start = file.Length - budget;
                file.Seek(start, SeekOrigin.Begin);
            }

            var counting = new CountingStream(IsCompressed(name) ? new GZipStream(file, CompressionMode.Decompress) : file);
            using (var reader = new StreamReader(counting))
            {
                if (start > 0)
                {
                    // Cut in the middle of a line: that line is not whole.
                    await reader.ReadLineAsync(ct);
                }

                while (true)
                {
                    string? line;
                    try
                    {
                        line = await reader.ReadLineAsync(ct);
                    }
                    catch (InvalidDataException)
                    {
                        // A damaged (or half-written) compressed file: what was read of it counts.
                        break;
                    }

                    if (line is null || counting.Count > budget)
                    {
                        break;
                    }

                    yield return line;
                }
            }

            budget -= counting.Count;
            yield return FileBoundary;
        }
    }

    /// <summary>
    /// The complete lines appended since <paramref name="cursor"/> (the mail-log follower's place
    /// in the log), moving it on. The place is a file (its identity and first line's hash) and an
    /// offset at a line's end, so it can be kept in the database and resumed exactly.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item>The first read without a place starts <paramref name="catchUpBytes"/> before the end, at a line's start.</item>
    /// <item>An incomplete last line waits for the next read.</item>
    /// <item>When the file at the path is no longer the one the cursor is in (renamed away, or
    /// truncated and rewritten in place), the rest of that file is read first from among the
    /// rotated files, found by identity (renamed) or by its first line (copied, or gzipped), then
    /// the new file from its top. A renamed file may still be written to until the writer
    /// reopens the path, so the cursor stays in it until the new file has a line.</item>
    /// <item>None while the file does not exist.</item>
    /// </list>
    /// </remarks>
    public async Task<IReadOnlyList<string>> ReadNewLinesAsync(MailLogCursor cursor, long catchUpBytes, CancellationToken ct)
    {
        cursor.More = false;
        cursor.RotatedFrom = null;
        cursor.RestLost = false;
        if (!IsConfigured)
        {
            return [];
        }

        var path = options.Value.MailLogPath!;
        FileStream? current = null;
        try
        {
            current = OpenPlain(path);
        }
        catch (FileNotFoundException)
        {
            // Renamed away and not yet created again: only a rest to read, if any.
        }

        await using (current)
        {
            string? currentId = null;
            long currentLength = 0;
            string? currentHash = null;
            if (current is not null)
            {
                currentId = FileIdentity.Of(current.SafeFileHandle) ?? UnknownFileId;
                currentLength = current.Length;
                currentHash = await FirstLineHashAsync(current, ct);
            }

            if (cursor.FileId is null)
            {
                if (current is null)
                {
                    return [];
                }

                var start = Math.Max(0, currentLength - catchUpBytes);
                cursor.MoveTo(currentId!, start, currentHash);
                cursor.CaughtUpFrom = currentLength - start;
                return await ReadFromAsync(current, cursor, finished: false, cutLine: start > 0, ct);
            }

            if (current is not null && IsSameFile(cursor, currentId!, currentLength, currentHash))
            {
                cursor.FirstLineHash ??= currentHash;
                return await ReadFromAsync(current, cursor, finished: false, cutLine: false, ct);
            }

            // The file at the path is another one than the cursor's: read the rest of the cursor's first.
            var rest = await OpenRestAsync(cursor, currentId, ct);
            if (rest is null)
            {
                if (current is null || ++cursor.RestSearches < RestSearchReads)
                {
                    return [];
                }

                cursor.RestLost = true;
                cursor.MoveTo(currentId!, 0, currentHash);
                cursor.More = true;
                return [];
            }

            await using (rest.Value.Stream)
            {
                cursor.RestSearches = 0;
                // Measured before the rest is read: once the writer wrote to the new file, it
                // writes no more to the old one, so everything of it is read now.
                var finished = rest.Value.Finished || currentLength > 0;
                var lines = await ReadFromAsync(rest.Value.Stream, cursor, finished, cutLine: false, ct);
                if (cursor.More || !finished || current is null)
                {
                    return lines;
                }

                cursor.RotatedFrom = rest.Value.Name;
                cursor.MoveTo(currentId!, 0, currentHash);
                cursor.More = true;
                return lines;
            }
        }
    }

    /// <summary>The rotated files that exist now (<see cref="MailLogOptions.RotatedPatterns"/>), most recently written first.</summary>
    public IReadOnlyList<string> RotatedFiles()
    {
        var current = Path.GetFullPath(options.Value.MailLogPath!);
        var enumeration = new EnumerationOptions { MatchType = MatchType.Simple, IgnoreInaccessible = true, RecurseSubdirectories = false };
        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pattern in options.Value.RotatedPatterns())
        {
            var full = Path.GetFullPath(pattern);
            var directory = Path.GetDirectoryName(full);
            if (directory is null || !Directory.Exists(directory))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(directory, Path.GetFileName(full), enumeration))
            {
                if (file != current)
                {
                    files.Add(file);
                }
            }
        }

        return [.. files
            .Select(f => (Name: f, Written: File.GetLastWriteTimeUtc(f)))
            .OrderByDescending(f => f.Written)
            .ThenByDescending(f => f.Name, StringComparer.Ordinal)
            .Select(f => f.Name)];
    }

    /// <summary>The hash of a file's first line (of its first <see cref="FirstLineLimit"/> bytes), or null while that line is not complete.</summary>
    public static async Task<string?> FirstLineHashAsync(Stream stream, CancellationToken ct)
    {
        if (stream.CanSeek)
        {
            stream.Seek(0, SeekOrigin.Begin);
        }

        var buffer = new byte[FirstLineLimit];
        var count = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
        var end = Array.IndexOf(buffer, (byte)'\n', 0, count);
        if (end < 0 && count < buffer.Length)
        {
            return null;
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.AsSpan(0, end < 0 ? count : end)));
    }

    private static bool IsCompressed(string name) => name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    // Read while Postfix writes it and renames it: never lock the writer out.
    private static FileStream OpenPlain(string name) =>
        new(name, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);

    /// <summary>The cursor's file is still the one at the path: same identity, not shorter than the offset, same first line.</summary>
    private static bool IsSameFile(MailLogCursor cursor, string currentId, long currentLength, string? currentHash)
    {
        if (currentLength < cursor.Offset)
        {
            return false;
        }

        var identityKnown = cursor.FileId != UnknownFileId && currentId != UnknownFileId;
        if (identityKnown && cursor.FileId != currentId)
        {
            return false;
        }

        return cursor.FirstLineHash is null || cursor.FirstLineHash == currentHash;
    }

    /// <summary>
    /// The rest of the cursor's file among the rotated ones, positioned at its start (the
    /// offset is skipped by the reader): a file with its identity (renamed, may still grow),
    /// else one whose first line hashes the same (a copy, or compressed: finished).
    /// </summary>
    private async Task<(Stream Stream, string Name, bool Finished)?> OpenRestAsync(MailLogCursor cursor, string? currentId, CancellationToken ct)
    {
        var candidates = RotatedFiles();
        if (cursor.FileId != UnknownFileId)
        {
            foreach (var name in candidates.Where(c => !IsCompressed(c)))
            {
                var stream = TryOpen(name);
                if (stream is null)
                {
                    continue;
                }

                var id = FileIdentity.Of(stream.SafeFileHandle);
                if (id == cursor.FileId && id != currentId && stream.Length >= cursor.Offset
                    && (cursor.FirstLineHash is null || await FirstLineHashAsync(stream, ct) == cursor.FirstLineHash))
                {
                    return (stream, name, false);
                }

                await stream.DisposeAsync();
            }
        }

        if (cursor.FirstLineHash is null)
        {
            return null;
        }

        foreach (var name in candidates)
        {
            Stream? stream = TryOpen(name);
            if (stream is null)
            {
                continue;
            }

            try
            {
                var compressed = IsCompressed(name);
                if (compressed)
                {
                    stream = new GZipStream(stream, CompressionMode.Decompress);
                }
                else if (stream.Length < cursor.Offset)
                {
                    continue;
                }

                if (await FirstLineHashAsync(stream, ct) != cursor.FirstLineHash)
                {
                    continue;
                }

                if (compressed)
                {
                    // Decompressed again from its start, for the reader to skip to the offset.
                    await stream.DisposeAsync();
                    stream = TryOpen(name) is { } again ? new GZipStream(again, CompressionMode.Decompress) : null;
                    if (stream is null)
                    {
                        continue;
                    }
                }

                // A copy, or compressed: finished. Where identities are unknown, a plain file
                // found this way may be the renamed original, still written to.
                var finished = compressed || FileIdentity.IsSupported;
                (Stream, string, bool) found = (stream, name, finished);
                stream = null;
                return found;
            }
            catch (InvalidDataException)
            {
                // Not gzip after all, or still being written.
            }
            finally
            {
                if (stream is not null)
                {
                    await stream.DisposeAsync();
                }
            }
        }

        return null;
    }

    private static FileStream? TryOpen(string name)
    {
        try
        {
            return OpenPlain(name);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads from the cursor's offset: the complete lines (all of them, the last one too, when
    /// the file is <paramref name="finished"/> and read to its end), at most <see cref="MaxReadBytes"/>.
    /// </summary>
    private async Task<IReadOnlyList<string>> ReadFromAsync(Stream stream, MailLogCursor cursor, bool finished, bool cutLine, CancellationToken ct)
    {
        long remainingHint = MaxReadBytes;
        if (stream.CanSeek)
        {
            stream.Seek(cursor.Offset, SeekOrigin.Begin);
            remainingHint = Math.Max(0, stream.Length - cursor.Offset);
        }
        else if (!await SkipAsync(stream, cursor.Offset, ct))
        {
            // Shorter than the offset: nothing of it is left to read.
            return [];
        }

        var buffer = new byte[(int)Math.Min(Math.Max(remainingHint + 1, 4096), MaxReadBytes + 1L)];
        var count = 0;
        while (true)
        {
            if (count == buffer.Length)
            {
                if (buffer.Length > MaxReadBytes)
                {
                    break;
                }

                Array.Resize(ref buffer, (int)Math.Min(MaxReadBytes + 1L, buffer.Length * 2L));
            }

            var read = await stream.ReadAsync(buffer.AsMemory(count), ct);
            if (read == 0)
            {
                break;
            }

            count += read;
        }

        var atEnd = count <= MaxReadBytes;
        count = Math.Min(count, MaxReadBytes);
        var from = 0;
        if (cutLine)
        {
            var firstEnd = Array.IndexOf(buffer, (byte)'\n', 0, count);
            from = firstEnd < 0 ? count : firstEnd + 1;
        }

        int taken;
        if (atEnd && finished)
        {
            taken = count;
        }
        else
        {
            var lastEnd = count > from ? Array.LastIndexOf(buffer, (byte)'\n', count - 1, count - from) : -1;
            taken = lastEnd < from ? (atEnd ? from : count) : lastEnd + 1;
        }

        cursor.Offset += taken;
        cursor.More = !atEnd;
        var text = Encoding.UTF8.GetString(buffer, from, Math.Max(0, taken - from));
        if (text.Length == 0)
        {
            return [];
        }

        return text.EndsWith('\n') ? text[..^1].Split('\n') : text.Split('\n');
    }

    /// <summary>Reads past <paramref name="count"/> bytes of a stream that cannot seek; false if it ends first.</summary>
    private static async Task<bool> SkipAsync(Stream stream, long count, CancellationToken ct)
    {
        var buffer = new byte[81920];
        while (count > 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), ct);
            if (read == 0)
            {
                return false;
            }

            count -= read;
        }

        return true;
    }

    /// <summary>Counts the bytes read through it (for the search's budget).</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Count { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Count; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            Count += read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            Count += read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>
/// A reader's place in the mail log: which file (identity and first line) and how far (an offset
/// at a line's end). The follower keeps it in the database (<see cref="MailLogPosition"/>).
/// </summary>
public sealed class MailLogCursor
{
    /// <summary>The file's identity (<c>device:inode</c>, see <see cref="FileIdentity"/>); null before the first read.</summary>
    public string? FileId { get; set; }

    /// <summary>The bytes of that file already read, always up to a line's end.</summary>
    public long Offset { get; set; }

    /// <summary>The hash of that file's first line, null while it has none complete.</summary>
    public string? FirstLineHash { get; set; }

    /// <summary>How many bytes before the end the first read (without a place) started.</summary>
    public long CaughtUpFrom { get; set; }

    /// <summary>Set by a read that stopped before the end (a limit, or a move to the next file): read again at once.</summary>
    public bool More { get; set; }

    /// <summary>Set by a read that finished the rest of a rotated file (its name) and moved on to the new one.</summary>
    public string? RotatedFrom { get; set; }

    /// <summary>Set by a read that moved on to the new file without finding the rest of the rotated one.</summary>
    public bool RestLost { get; set; }

    /// <summary>Reads in a row that found the log rotated but not the rest of the cursor's file.</summary>
    internal int RestSearches { get; set; }

    /// <summary>The cursor at a stored place.</summary>
    public static MailLogCursor At(MailLogPosition position) =>
        new() { FileId = position.FileId, Offset = position.Offset, FirstLineHash = position.FirstLineHash };

    /// <summary>Whether <paramref name="position"/> already says where this cursor is.</summary>
    public bool IsAt(MailLogPosition? position) =>
        position is not null && position.FileId == FileId && position.Offset == Offset && position.FirstLineHash == FirstLineHash;

    internal void MoveTo(string fileId, long offset, string? firstLineHash)
    {
        FileId = fileId;
        Offset = offset;
        FirstLineHash = firstLineHash;
        RestSearches = 0;
    }
}
