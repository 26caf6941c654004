using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Outcomes;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.DomainHealth;

/// <summary>
/// Stores the DMARC aggregate reports mailed to the report address (the report listener hands
/// them here). Anyone can mail that address: a report counts only when it is about a domain we
/// send from (a sender's address or <c>Mail:FromAddress</c>), and the counts are as the receiver
/// reported them, not checked. A report mailed twice (same reporter, same report id) counts once.
/// Every mail ends with one outcome, logged and counted in <c>salesmind.dmarc.reports</c>.
/// </summary>
public sealed partial class DmarcReportIntake(
    NotifierDb db, IOptions<MailOptions> mail, TimeProvider time, ILogger<DmarcReportIntake> logger) : IDmarcReportReceiver
{
    private static readonly Meter Meter = new(DeliveryLedger.MeterName);
    private static readonly Counter<long> Reports = Meter.CreateCounter<long>(
        "salesmind.dmarc.reports", description: "Mail received at the DMARC report address, by outcome (accepted, duplicate, foreign_domain, too_large, bad_xml, …)");

    public async Task ReceiveAsync(MimeMessage message, string? sender, string? remoteAddress, CancellationToken ct) =>
        await RecordAsync(message, sender, remoteAddress, ct);

    /// <summary>Parses, checks and stores one mail's report; what became of it.</summary>
    public async Task<DmarcParse> RecordAsync(MimeMessage message, string? sender, string? remoteAddress, CancellationToken ct)
    {
        DmarcParse parsed;
        try
        {
            parsed = DmarcReportParser.Parse(message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Retrying would fail the same way for days: taken, logged and counted instead.
            parsed = DmarcParse.Refused(DmarcReportOutcome.Unreadable, $"the report could not be read ({ex.GetType().Name})");
        }

        if (parsed.Report is { } report)
        {
            parsed = await StoreAsync(report, ct);
        }

        Reports.Add(1, new KeyValuePair<string, object?>("outcome", parsed.Outcome.Name()));
        if (parsed.Outcome == DmarcReportOutcome.Accepted)
        {
            LogAccepted(parsed.Report!.OrgName, parsed.Report.Domain, parsed.Report.Records.Count);
        }
        else
        {
            LogRefused(parsed.Outcome.Name(), parsed.Detail, Clean(sender), Clean(remoteAddress));
        }

        return parsed;
    }

    private async Task<DmarcParse> StoreAsync(DmarcReport report, CancellationToken ct)
    {
        if (KeepOurs(report, await OwnDomainsAsync(ct)) is { } foreign)
        {
            return DmarcParse.Refused(DmarcReportOutcome.ForeignDomain, foreign);
        }

        if (await db.DmarcReports.AnyAsync(r => r.OrgName == report.OrgName && r.ReportId == report.ReportId, ct))
        {
            return Duplicate(report);
        }

        report.ReceivedAt = time.GetUtcNow();
        db.DmarcReports.Add(report);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // The other copy arrived at the same moment.
            db.ChangeTracker.Clear();
            return Duplicate(report);
        }

        return new DmarcParse(report, DmarcReportOutcome.Accepted, $"{report.Records.Count} rows from {report.OrgName} about {report.Domain}");
    }

    /// <summary>
    /// Keeps what of <paramref name="report"/> is about our mail; why nothing is, or null. A report
    /// about one of <paramref name="ours"/> is kept whole. A report about a parent domain (our
    /// sender is mail.example.com, the DMARC record is example.com's) keeps only the rows whose
    /// From was one of our domains. Anything else is about someone else's mail.
    /// </summary>
    public static string? KeepOurs(DmarcReport report, IReadOnlySet<string> ours)
    {
        if (ours.Contains(report.Domain))
        {
            return null;
        }

        if (!ours.Any(o => o.EndsWith("." + report.Domain, StringComparison.Ordinal)))
        {
            return $"the report is about {report.Domain}, which is none of our sender domains";
        }

        report.Records = report.Records.Where(r => r.HeaderFrom is { } from && ours.Contains(from)).ToList();
        return report.Records.Count == 0 ? $"the report about {report.Domain} has no rows for mail from our sender domains" : null;
    }

    private static DmarcParse Duplicate(DmarcReport report) =>
        DmarcParse.Refused(DmarcReportOutcome.Duplicate, $"report {report.ReportId} from {report.OrgName} was received before; it counts once");

    /// <summary>The domains we send from: every sender address's, and <c>Mail:FromAddress</c>'s.</summary>
    private async Task<HashSet<string>> OwnDomainsAsync(CancellationToken ct)
    {
        var addresses = await db.Senders.AsNoTracking().Select(s => s.Address).ToListAsync(ct);
        addresses.Add(mail.Value.FromAddress);
        return addresses.Select(a => DmarcReportParser.Domain(a[(a.LastIndexOf('@') + 1)..])).OfType<string>().ToHashSet(StringComparer.Ordinal);
    }

    private static string? Clean(string? value) =>
        value is null ? null : new string(value.Where(c => !char.IsControl(c)).Take(320).ToArray());

    [LoggerMessage(Level = LogLevel.Information, Message = "A DMARC aggregate report from {OrgName} about {Domain} was stored ({Rows} rows)")]
    private partial void LogAccepted(string orgName, string domain, int rows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mail to the DMARC report address was not stored ({Outcome}: {Detail}; from {Sender} via {RemoteAddress})")]
    private partial void LogRefused(string outcome, string detail, string? sender, string? remoteAddress);
}

/// <summary>Registration of the DMARC report intake (the report listener finds it as <see cref="IDmarcReportReceiver"/>).</summary>
public static class DmarcReportSetup
{
    public static IServiceCollection AddDmarcReports(this IServiceCollection services)
    {
        services.AddScoped<DmarcReportIntake>();
        services.AddScoped<IDmarcReportReceiver>(sp => sp.GetRequiredService<DmarcReportIntake>());
        return services;
    }
}
