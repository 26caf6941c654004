using Microsoft.Extensions.Options;
using SalesMind.Notifier.Outcomes;

namespace SalesMind.Notifier.UnitTests;

/// <summary>The one reader of Postfix's log, as the mail-log follower uses it: whole lines only, rotation survived.</summary>
public sealed class MailLogReaderTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"salesmind-maillog-{Guid.NewGuid():N}.log");

    private PostfixMailLog Reader => new(Options.Create(new MailLogOptions { MailLogPath = _path }));

    public void Dispose() => File.Delete(_path);

    [Fact]
    public async Task Only_complete_lines_are_returned_and_the_rest_waits_for_its_end()
    {
        var cursor = new MailLogCursor();
        Assert.Empty(await Reader.ReadNewLinesAsync(cursor, 1024, CancellationToken.None));

        await File.WriteAllTextAsync(_path, "one\ntw");
        Assert.Equal(["one"], await Reader.ReadNewLinesAsync(cursor, 1024, CancellationToken.None));
        await File.AppendAllTextAsync(_path, "o\nthree\n");
        Assert.Equal(["two", "three"], await Reader.ReadNewLinesAsync(cursor, 1024, CancellationToken.None));
        Assert.Empty(await Reader.ReadNewLinesAsync(cursor, 1024, CancellationToken.None));
    }

    [Fact]
    public async Task The_first_read_catches_up_only_on_the_end_of_a_long_log()
    {
        await File.WriteAllTextAsync(_path, string.Concat(Enumerable.Range(0, 100).Select(i => $"line {i:D3}\n")));
        var cursor = new MailLogCursor();

        var lines = await Reader.ReadNewLinesAsync(cursor, 13, CancellationToken.None);

        // 13 bytes back is a line and a half: the cut one comes back cut (no Postfix line parses from it).
        Assert.Equal(["098", "line 099"], lines);
        Assert.Null(PostfixOutcome.Parse(lines[0]));
        Assert.Equal(13, cursor.CaughtUpFrom);
    }

    [Fact]
    public async Task A_rotated_log_is_read_again_from_its_top()
    {
        await File.WriteAllTextAsync(_path, "an old line that is long\n");
        var cursor = new MailLogCursor();
        await Reader.ReadNewLinesAsync(cursor, 1024, CancellationToken.None);

        await File.WriteAllTextAsync(_path, "new\n");
        Assert.Equal(["new"], await Reader.ReadNewLinesAsync(cursor, 1024, CancellationToken.None));
    }
}
