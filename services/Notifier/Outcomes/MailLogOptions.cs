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
}
