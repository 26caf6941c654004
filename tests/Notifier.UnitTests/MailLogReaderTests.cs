using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.Options;
using SalesMind.Notifier.Outcomes;

namespace SalesMind.Notifier.UnitTests;

/// <summary>
/// The one reader of Postfix's log, as the mail-log follower uses it, on real files: whole lines
/// only, a place that survives a restart, and every rotation (renamed, copied and truncated,
/// gzipped) followed without losing or repeating a line.
/// </summary>
public sealed class MailLogReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("salesmind-maillog-").FullName;

    private string LogPath => Path.Combine(_dir, "postfix.log");

    private PostfixMailLog Reader(int maxReadBytes = 8 * 1024 * 1024, string[]? rotated = null) =>
        new(Options.Create(new MailLogOptions { MailLogPath = LogPath, MailLogRotatedPaths = rotated ?? [] })) { MaxReadBytes = maxReadBytes, RestSearchReads = 3 };

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Reads until the reader has nothing more at once (as the follower does), all lines in order.</summary>
    private static async Task<List<string>> ReadAllAsync(PostfixMailLog reader, MailLogCursor cursor, long catchUp = 1024)
    {
        var lines = new List<string>();
        do
        {
            lines.AddRange(await reader.ReadNewLinesAsync(cursor, catchUp, CancellationToken.None));
        }
        while (cursor.More);
        return lines;
    }

    private static Task WriteAsync(string path, string text) => File.AppendAllTextAsync(path, text);

    /// <summary>What <c>postfix logrotate</c> does: rename to a dated name, then gzip it (the plain file goes).</summary>
    private static async Task<string> PostfixLogrotateAsync(string path)
    {
        var rotated = $"{path}.20261130-031500";
        File.Move(path, rotated);
        await using (var input = File.OpenRead(rotated))
        await using (var output = new GZipStream(File.Create(rotated + ".gz"), CompressionLevel.Fastest))
        {
            await input.CopyToAsync(output);
        }

        File.Delete(rotated);
        return rotated + ".gz";
    }

    [Fact]
    public async Task Only_complete_lines_are_returned_and_the_rest_waits_for_its_end()
    {
        var reader = Reader();
        var cursor = new MailLogCursor();
        Assert.Empty(await reader.ReadNewLinesAsync(cursor, 1024, CancellationToken.None));

        await WriteAsync(LogPath, "one\ntw");
        Assert.Equal(["one"], await reader.ReadNewLinesAsync(cursor, 1024, CancellationToken.None));
        Assert.Equal(4, cursor.Offset);
        await WriteAsync(LogPath, "o\nthree\n");
        Assert.Equal(["two", "three"], await reader.ReadNewLinesAsync(cursor, 1024, CancellationToken.None));
        Assert.Empty(await reader.ReadNewLinesAsync(cursor, 1024, CancellationToken.None));
        Assert.Equal(14, cursor.Offset);
    }

    [Fact]
    public async Task The_first_read_without_a_place_catches_up_only_on_the_end_of_a_long_log_from_a_line_start()
    {
        await File.WriteAllTextAsync(LogPath, string.Concat(Enumerable.Range(0, 100).Select(i => $"line {i:D3}\n")));
        var cursor = new MailLogCursor();

        var lines = await Reader().ReadNewLinesAsync(cursor, 13, CancellationToken.None);

        // 13 bytes back is a line and a half: the cut one is skipped.
        Assert.Equal(["line 099"], lines);
        Assert.Equal(13, cursor.CaughtUpFrom);
        Assert.Equal(new FileInfo(LogPath).Length, cursor.Offset);
    }

    [Fact]
    public async Task The_place_names_the_file_by_identity_and_first_line_and_a_restart_resumes_exactly_there()
    {
        await File.WriteAllTextAsync(LogPath, string.Concat(Enumerable.Range(0, 50).Select(i => $"line {i:D3}\n")));
        var cursor = new MailLogCursor();
        await ReadAllAsync(Reader(), cursor, catchUp: 1 << 20);
        Assert.Equal(FileIdentity.Of(LogPath), cursor.FileId);
        Assert.NotNull(cursor.FirstLineHash);

        // Stored, the process stops; lines are written meanwhile; a new process resumes from the store.
        var stored = new MailLogPosition { Name = "postfix", FileId = cursor.FileId!, Offset = cursor.Offset, FirstLineHash = cursor.FirstLineHash };
        await WriteAsync(LogPath, "while down 1\nwhile down 2\n");
        var resumed = MailLogCursor.At(stored);

        // The catch-up guess (13 bytes) is not used when a place is known: nothing missed, nothing repeated.
        Assert.Equal(["while down 1", "while down 2"], await ReadAllAsync(Reader(), resumed, catchUp: 13));
    }

    [Fact]
    public async Task A_log_renamed_to_dot_1_is_read_to_its_end_before_the_new_file_from_its_top()
    {
        await WriteAsync(LogPath, "old 1\n");
        var cursor = new MailLogCursor();
        Assert.Equal(["old 1"], await ReadAllAsync(Reader(), cursor));

        // Written to the old file after the last read, then logrotate renames it and a new file starts.
        await WriteAsync(LogPath, "old 2\n");
        File.Move(LogPath, LogPath + ".1");
        await WriteAsync(LogPath, "new 1\n");

        Assert.Equal(["old 2", "new 1"], await ReadAllAsync(Reader(), cursor));
        Assert.Equal(FileIdentity.Of(LogPath), cursor.FileId);
        await WriteAsync(LogPath, "new 2\n");
        Assert.Equal(["new 2"], await ReadAllAsync(Reader(), cursor));
    }

    [Fact]
    public async Task A_renamed_log_is_still_read_while_the_new_file_is_empty_because_the_writer_may_not_have_reopened_yet()
    {
        await WriteAsync(LogPath, "old 1\n");
        var cursor = new MailLogCursor();
        await ReadAllAsync(Reader(), cursor);
        var oldId = cursor.FileId;

        File.Move(LogPath, LogPath + ".1");
        await File.WriteAllTextAsync(LogPath, "");
        // The writer has not reopened the path yet: its lines still go to the renamed file.
        await WriteAsync(LogPath + ".1", "old 2\n");
        Assert.Equal(["old 2"], await ReadAllAsync(Reader(), cursor));
        Assert.Equal(oldId, cursor.FileId);

        await WriteAsync(LogPath + ".1", "old 3\n");
        await WriteAsync(LogPath, "new 1\n");
        Assert.Equal(["old 3", "new 1"], await ReadAllAsync(Reader(), cursor));
    }

    [Fact]
    public async Task A_log_rotated_by_postfix_logrotate_and_gzipped_is_found_by_its_first_line_and_read_from_the_offset()
    {
        await WriteAsync(LogPath, "Nov 30 03:10:00 mail postfix/master[1]: daemon started\nold 1\n");
        var cursor = new MailLogCursor();
        await ReadAllAsync(Reader(), cursor);

        await WriteAsync(LogPath, "old 2\nold 3\n");
        var gz = await PostfixLogrotateAsync(LogPath);
        await WriteAsync(LogPath, "new 1\n");

        var lines = await ReadAllAsync(Reader(), cursor);

        Assert.Equal(["old 2", "old 3", "new 1"], lines);
        Assert.True(File.Exists(gz));
    }

    [Fact]
    public async Task A_gzipped_rest_is_read_in_pieces_when_it_is_longer_than_one_read()
    {
        await WriteAsync(LogPath, "first line\n");
        var cursor = new MailLogCursor();
        var reader = Reader(maxReadBytes: 64);
        await ReadAllAsync(reader, cursor);

        var old = Enumerable.Range(0, 40).Select(i => $"old line {i:D2}").ToList();
        await WriteAsync(LogPath, string.Join("\n", old) + "\n");
        await PostfixLogrotateAsync(LogPath);
        await WriteAsync(LogPath, "new 1\n");

        Assert.Equal([.. old, "new 1"], await ReadAllAsync(reader, cursor));
    }

    [Fact]
    public async Task A_copytruncate_rotation_is_noticed_by_the_first_line_and_the_copy_supplies_the_rest()
    {
        await WriteAsync(LogPath, "Nov 30 03:10:00 first\nold 1\n");
        var cursor = new MailLogCursor();
        await ReadAllAsync(Reader(), cursor);
        var id = cursor.FileId;

        // logrotate's copytruncate: copy to .1, truncate in place (same inode), and the writer
        // goes on writing, here past the old offset, so only the first line tells the change.
        await WriteAsync(LogPath, "old 2\n");
        File.Copy(LogPath, LogPath + ".1");
        await using (var truncate = new FileStream(LogPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            truncate.SetLength(0);
        }

        await WriteAsync(LogPath, "Nov 30 03:20:00 new first line, longer than everything before it\n");
        Assert.Equal(id, FileIdentity.Of(LogPath));

        Assert.Equal(["old 2", "Nov 30 03:20:00 new first line, longer than everything before it"], await ReadAllAsync(Reader(), cursor));
    }

    [Fact]
    public async Task A_line_cut_by_the_last_read_is_completed_from_the_rotated_file()
    {
        await WriteAsync(LogPath, "old 1\nold 2 begins");
        var cursor = new MailLogCursor();
        Assert.Equal(["old 1"], await ReadAllAsync(Reader(), cursor));

        await WriteAsync(LogPath, " and ends\n");
        File.Move(LogPath, LogPath + ".1");
        await WriteAsync(LogPath, "new 1\n");

        Assert.Equal(["old 2 begins and ends", "new 1"], await ReadAllAsync(Reader(), cursor));
    }

    [Fact]
    public async Task A_rotated_file_that_ends_without_a_newline_gives_its_last_line_once_the_writer_moved_on()
    {
        await WriteAsync(LogPath, "old 1\nold 2 cut short");
        var cursor = new MailLogCursor();
        await ReadAllAsync(Reader(), cursor);

        File.Move(LogPath, LogPath + ".1");
        await WriteAsync(LogPath, "new 1\n");

        Assert.Equal(["old 2 cut short", "new 1"], await ReadAllAsync(Reader(), cursor));
    }

    [Fact]
    public async Task A_restart_in_the_middle_of_a_rotation_reads_the_rest_of_the_old_file_from_the_stored_place()
    {
        await WriteAsync(LogPath, "Nov 30 03:10:00 first\nold 1\n");
        var cursor = new MailLogCursor();
        await ReadAllAsync(Reader(), cursor);
        var stored = new MailLogPosition { Name = "postfix", FileId = cursor.FileId!, Offset = cursor.Offset, FirstLineHash = cursor.FirstLineHash };

        // While the Notifier is down: more lines, a rotation (gzipped), lines in the new file.
        await WriteAsync(LogPath, "old 2\n");
        await PostfixLogrotateAsync(LogPath);
        await WriteAsync(LogPath, "new 1\n");

        Assert.Equal(["old 2", "new 1"], await ReadAllAsync(Reader(), MailLogCursor.At(stored)));
    }

    [Fact]
    public async Task A_rest_that_cannot_be_found_is_given_up_after_some_reads_and_said_so()
    {
        await WriteAsync(LogPath, "old 1\n");
        var cursor = new MailLogCursor();
        await ReadAllAsync(Reader(), cursor);

        File.Move(LogPath, Path.Combine(_dir, "elsewhere"));
        await WriteAsync(LogPath, "new 1\n");
        var reader = Reader();

        // A rotation under way may show the rest only a moment later: a few reads wait for it.
        Assert.Empty(await reader.ReadNewLinesAsync(cursor, 1024, CancellationToken.None));
        Assert.Empty(await reader.ReadNewLinesAsync(cursor, 1024, CancellationToken.None));
        Assert.False(cursor.RestLost);
        Assert.Empty(await reader.ReadNewLinesAsync(cursor, 1024, CancellationToken.None));
        Assert.True(cursor.RestLost);
        Assert.Equal(["new 1"], await ReadAllAsync(reader, cursor));
        Assert.Equal(FileIdentity.Of(LogPath), cursor.FileId);
    }

    [Fact]
    public async Task Configured_rotated_names_are_searched_instead_of_the_defaults()
    {
        await WriteAsync(LogPath, "old 1\n");
        var archive = Directory.CreateDirectory(Path.Combine(_dir, "archive")).FullName;
        var reader = Reader(rotated: [Path.Combine(archive, "postfix-*.log")]);
        var cursor = new MailLogCursor();
        await ReadAllAsync(reader, cursor);

        await WriteAsync(LogPath, "old 2\n");
        File.Move(LogPath, Path.Combine(archive, "postfix-1.log"));
        await WriteAsync(LogPath, "new 1\n");

        Assert.Equal(["old 2", "new 1"], await ReadAllAsync(reader, cursor));
    }

    [Fact]
    public async Task The_in_doubt_search_finds_a_message_whose_lines_are_split_between_a_gzipped_rotated_file_and_the_new_one()
    {
        const string messageId = "0192f3a4-in-doubt@salesmind.test";
        const string sender = "bounces+1.sig@bounces.salesmind.test";
        const string queueId = "4jcCcW4l6Pz1hsHJ";
        await WriteAsync(LogPath, $"Nov 30 03:10:00 mail postfix/cleanup[4242]: {queueId}: message-id=<{messageId}>\n");
        await PostfixLogrotateAsync(LogPath);
        await WriteAsync(LogPath,
            $"Nov 30 03:10:01 mail postfix/qmgr[4200]: {queueId}: from=<{sender}>, size=900, nrcpt=1 (queue active)\n" +
            $"Nov 30 03:10:01 mail postfix/virtual[4300]: {queueId}: to=<a@mail.test>, relay=virtual, delay=0.1, delays=0.05/0.01/0/0.04, dsn=2.0.0, status=sent (delivered to maildir)\n");

        var reader = Reader();
        var found = await reader.FindAcceptedAsync(new Dictionary<string, string> { [messageId] = sender }, CancellationToken.None);
        var outcomes = await reader.FindOutcomesAsync([queueId], CancellationToken.None);

        Assert.Equal(queueId, found[messageId]);
        Assert.Equal("delivered", Assert.Single(outcomes).Action);
    }

    [Fact]
    public async Task The_in_doubt_search_reads_rotated_files_in_time_order_for_the_verdicts()
    {
        const string queueId = "4jcCcW4l6Pz1hsHK";
        var deferred = $"Nov 30 03:10:01 mail postfix/smtp[4300]: {queueId}: to=<a@defer.test>, relay=none, delay=1, delays=1/0/0/0, dsn=4.4.1, status=deferred (simulated deferral)\n";
        var bounced = $"Nov 30 03:20:01 mail postfix/smtp[4300]: {queueId}: to=<a@defer.test>, relay=none, delay=601, delays=601/0/0/0, dsn=5.4.1, status=bounced (gave up)\n";
        await WriteAsync(LogPath + ".1", deferred);
        File.SetLastWriteTimeUtc(LogPath + ".1", DateTime.UtcNow.AddMinutes(-10));
        await WriteAsync(LogPath, bounced);

        var outcomes = await Reader().FindOutcomesAsync([queueId], CancellationToken.None);

        Assert.Equal(["delayed", "failed"], outcomes.Select(o => o.Action));
    }

    [Fact]
    public async Task Rotated_files_are_listed_newest_first_and_the_current_log_is_not_one_of_them()
    {
        await WriteAsync(LogPath, "current\n");
        await WriteAsync(LogPath + ".2.gz", "x");
        await WriteAsync(LogPath + ".1", "x");
        await WriteAsync(LogPath + "-20261129", "x");
        File.SetLastWriteTimeUtc(LogPath + ".2.gz", DateTime.UtcNow.AddHours(-2));
        File.SetLastWriteTimeUtc(LogPath + "-20261129", DateTime.UtcNow.AddHours(-3));

        Assert.Equal([LogPath + ".1", LogPath + ".2.gz", LogPath + "-20261129"], Reader().RotatedFiles());
    }

    [Fact]
    public async Task The_first_line_hash_is_null_until_the_first_line_is_complete()
    {
        await using var partial = new MemoryStream(Encoding.UTF8.GetBytes("no newline yet"));
        await using var whole = new MemoryStream(Encoding.UTF8.GetBytes("no newline yet\nmore"));
        await using var same = new MemoryStream(Encoding.UTF8.GetBytes("no newline yet\nother"));

        Assert.Null(await PostfixMailLog.FirstLineHashAsync(partial, CancellationToken.None));
        Assert.Equal(64, (await PostfixMailLog.FirstLineHashAsync(whole, CancellationToken.None))!.Length);
        Assert.Equal(await PostfixMailLog.FirstLineHashAsync(whole, CancellationToken.None), await PostfixMailLog.FirstLineHashAsync(same, CancellationToken.None));
    }
}
