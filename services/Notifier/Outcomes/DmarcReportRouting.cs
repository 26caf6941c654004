using MimeKit;

namespace SalesMind.Notifier.Outcomes;

/// <summary>
/// Takes the mail that arrives at the DMARC report address (<c>Bounces:DmarcReportAddress</c> at
/// the bounce domain). The report listener hands such mail here instead of reading it as a
/// delivery report; the implementation lives with the domain's health (DomainHealth), which
/// builds on this folder, so this folder only knows the seam.
/// </summary>
public interface IDmarcReportReceiver
{
    /// <summary>
    /// Records the report, or refuses it (logged and counted): either way the mail is taken. Throws
    /// only when it could not be recorded (the database is unreachable): the listener then answers
    /// "try again later" and the mail server sends it again.
    /// </summary>
    Task ReceiveAsync(MimeMessage message, string? sender, string? remoteAddress, CancellationToken ct);
}
