using System.ComponentModel.DataAnnotations;

namespace SalesMind.Notifier.Outcomes;

/// <summary>
/// Where Postfix's log is (key <c>Smtp:MailLogPath</c>, beside the mail server's other settings):
/// read by the mail-log follower and by the dispatcher's in-doubt check, through <see cref="PostfixMailLog"/>.
/// </summary>
public sealed class MailLogOptions
{
    public const string Section = "Smtp";

    /// <summary>
    /// Postfix's log file, readable by the Notifier. With it, a delivery whose fate is in doubt
    /// after a crash is checked against what Postfix accepted before it is sent again; without
    /// it such a delivery is sent again (at least once, possibly twice).
    /// </summary>
    public string? MailLogPath { get; set; }

    /// <summary>
    /// Where the log goes when it is rotated: paths whose file name may hold <c>*</c> and
    /// <c>?</c> (<c>Smtp:MailLogRotatedPaths:0</c>, …). Empty: <c>&lt;MailLogPath&gt;.*</c> and
    /// <c>&lt;MailLogPath&gt;-*</c>, which cover logrotate (<c>postfix.log.1</c>,
    /// <c>postfix.log.2.gz</c>, <c>postfix.log-20261130</c>) and <c>postfix logrotate</c>
    /// (<c>postfix.log.20261130-031500.gz</c>, gzipped by <c>maillog_file_compressor</c>).
    /// Files ending in <c>.gz</c> are read through gzip; other compressors are not understood.
    /// </summary>
    public string[] MailLogRotatedPaths { get; set; } = [];

    /// <summary>
    /// The name the follower's place in the log is kept under (table <c>mail_log_positions</c>)
    /// and locked by: instances that read the same log share it (one follows, the others stand
    /// by); instances reading different mail servers' logs need different names.
    /// </summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9._-]{1,50}$", ErrorMessage = "Smtp:MailLogName must be 1 to 50 letters, digits, '.', '_' or '-'.")]
    public string MailLogName { get; set; } = "postfix";

    /// <summary>The rotated files' patterns, <see cref="MailLogRotatedPaths"/> or the defaults.</summary>
    public IReadOnlyList<string> RotatedPatterns()
    {
        if (MailLogRotatedPaths is { Length: > 0 })
        {
            return MailLogRotatedPaths;
        }

        var path = Path.GetFullPath(MailLogPath!);
        return [path + ".*", path + "-*"];
    }
}
