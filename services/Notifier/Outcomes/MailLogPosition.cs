namespace SalesMind.Notifier.Outcomes;

/// <summary>
/// How far the mail-log follower has read, kept in the database so a restart (or another
/// instance) resumes where it stopped, and a rotation is noticed: the file is known by its
/// identity (device and inode), not its name.
/// </summary>
public sealed class MailLogPosition
{
    /// <summary>Which log, e.g. <c>postfix</c>.</summary>
    public required string Name { get; set; }

    /// <summary>The file's identity when read, <c>device:inode</c>.</summary>
    public required string FileId { get; set; }

    /// <summary>Bytes of that file already read (always at a line's end).</summary>
    public long Offset { get; set; }

    /// <summary>A hash of the file's first line: a file truncated and rewritten in place (copytruncate) is not the same file.</summary>
    public string? FirstLineHash { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
