using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.DomainHealth;

namespace SalesMind.Notifier.Admin;

/// <summary>
/// The DMARC aggregate reports receivers mailed to the report address: per sender domain and
/// source address, how many messages passed DKIM, SPF and DMARC. The counts are as the receivers
/// reported them (anyone can mail the address; only reports about our own domains are kept).
/// </summary>
public static class DmarcReportEndpoints
{
    public sealed record DispositionCounts(long None, long Quarantine, long Reject);

    /// <summary>One source address's mail for one domain, summed over the reports in the window.</summary>
    public sealed record DmarcSourceView(
        string SourceIp, long Messages, long DkimPass, long DkimFail, long SpfPass, long SpfFail, long DmarcPass, long DmarcFail,
        DispositionCounts Dispositions, List<string> Reporters);

    public sealed record DmarcDomainView(string Domain, int Reports, long Messages, long DmarcPass, long DmarcFail, List<DmarcSourceView> Sources);

    public sealed record DmarcSummary(int Days, DateTimeOffset Since, List<DmarcDomainView> Domains);

    public sealed record DmarcReportView(
        long Id, string OrgName, string ReportId, string Domain, string? Policy, DateTimeOffset BeginAt, DateTimeOffset EndAt, DateTimeOffset ReceivedAt,
        int Rows, long Messages, long DmarcFail);

    public sealed record DmarcReportPage(List<DmarcReportView> Items, long? Next);

    private const string Pass = "pass";

    public static RouteGroupBuilder MapDmarcReports(this RouteGroupBuilder admin)
    {
        var at = new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
        var reports = admin.MapGroup("/dmarc-reports").WithTags("Domain health");
        var good = new DmarcSourceView("192.0.2.25", 1840, 1838, 2, 1840, 0, 1840, 0, new DispositionCounts(1840, 0, 0), ["google.com", "Yahoo"]);
        var spoofer = new DmarcSourceView("203.0.113.66", 37, 0, 37, 0, 37, 0, 37, new DispositionCounts(0, 12, 25), ["google.com"]);
        reports.MapGet("/summary", SummaryAsync)
            .WithSummary("DMARC pass/fail per sender domain and source address, from the aggregate reports of the last days")
            .WithDescription("`days` (1–90, default 7): reports whose period ends in that window. Per domain and per source address: messages, " +
                "DKIM and SPF pass/fail as DMARC evaluated them, DMARC pass (DKIM or SPF aligned and passing) / fail, the receivers' " +
                "dispositions and who reported. Sources that fail come first. The counts are as the receivers reported them.")
            .WithExample(response: new DmarcSummary(7, at.AddDays(-7), [new DmarcDomainView("salesmind.example", 4, 1877, 1840, 37, [spoofer, good])]));
        reports.MapGet("/", ListAsync)
            .WithSummary("The DMARC aggregate reports received, newest first")
            .WithDescription("`domain` (the reported domain), `limit` (1–200, default 50); the next page with `after` = the previous page's `next`.")
            .WithExample(response: new DmarcReportPage(
                [new DmarcReportView(42, "google.com", "10384729163829463829", "salesmind.example", "reject", at.AddDays(-1), at.AddSeconds(-1), at.AddHours(7), 2, 1877, 37)], 42));
        return admin;
    }

    internal static async Task<Results<Ok<DmarcSummary>, ValidationProblem>> SummaryAsync(int? days, NotifierDb db, TimeProvider time, CancellationToken ct)
    {
        var window = days ?? 7;
        if (window is < 1 or > 90)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["days"] = ["days must be between 1 and 90."] });
        }

        var since = time.GetUtcNow().AddDays(-window);
        var rows = from x in db.DmarcReportRecords
                   join r in db.DmarcReports on x.DmarcReportId equals r.Id
                   where r.EndAt >= since
                   select new { r.Domain, r.OrgName, x.SourceIp, x.Count, x.Dkim, x.Spf, x.Disposition };
        var sums = await rows.GroupBy(v => new { v.Domain, v.SourceIp })
            .Select(g => new
            {
                g.Key.Domain,
                g.Key.SourceIp,
                Messages = g.Sum(v => (long)v.Count),
                DkimPass = g.Sum(v => v.Dkim == Pass ? (long)v.Count : 0L),
                SpfPass = g.Sum(v => v.Spf == Pass ? (long)v.Count : 0L),
                // DMARC passes when either aligned result passes (RFC 7489 section 6.6.2).
                DmarcPass = g.Sum(v => v.Dkim == Pass || v.Spf == Pass ? (long)v.Count : 0L),
                None = g.Sum(v => v.Disposition == "none" ? (long)v.Count : 0L),
                Quarantine = g.Sum(v => v.Disposition == "quarantine" ? (long)v.Count : 0L),
                Reject = g.Sum(v => v.Disposition == "reject" ? (long)v.Count : 0L),
            })
            .ToListAsync(ct);
        var reporters = (await rows.Select(v => new { v.Domain, v.SourceIp, v.OrgName }).Distinct().ToListAsync(ct))
            .ToLookup(v => (v.Domain, v.SourceIp), v => v.OrgName);
        var reportCounts = await db.DmarcReports.AsNoTracking().Where(r => r.EndAt >= since)
            .GroupBy(r => r.Domain).Select(g => new { Domain = g.Key, Reports = g.Count() })
            .ToDictionaryAsync(g => g.Domain, g => g.Reports, ct);

        var domains = sums.GroupBy(s => s.Domain).Select(d =>
            {
                var sources = d.Select(s => new DmarcSourceView(s.SourceIp, s.Messages, s.DkimPass, s.Messages - s.DkimPass, s.SpfPass, s.Messages - s.SpfPass,
                        s.DmarcPass, s.Messages - s.DmarcPass, new DispositionCounts(s.None, s.Quarantine, s.Reject),
                        reporters[(s.Domain, s.SourceIp)].Order(StringComparer.Ordinal).ToList()))
                    .OrderByDescending(s => s.DmarcFail).ThenByDescending(s => s.Messages).ThenBy(s => s.SourceIp, StringComparer.Ordinal)
                    .ToList();
                return new DmarcDomainView(d.Key, reportCounts.GetValueOrDefault(d.Key), sources.Sum(s => s.Messages),
                    sources.Sum(s => s.DmarcPass), sources.Sum(s => s.DmarcFail), sources);
            })
            // Reports without rows still say the domain was reported on.
            .Concat(reportCounts.Keys.Except(sums.Select(s => s.Domain)).Select(d => new DmarcDomainView(d, reportCounts[d], 0, 0, 0, [])))
            .OrderBy(d => d.Domain, StringComparer.Ordinal)
            .ToList();
        return TypedResults.Ok(new DmarcSummary(window, since, domains));
    }

    internal static async Task<Results<Ok<DmarcReportPage>, ValidationProblem>> ListAsync(
        NotifierDb db, string? domain, long? after, int? limit, CancellationToken ct)
    {
        var take = limit ?? 50;
        var errors = new Dictionary<string, string[]>();
        if (take is < 1 or > 200)
        {
            errors["limit"] = ["limit must be between 1 and 200."];
        }

        string? wanted = null;
        if (!string.IsNullOrWhiteSpace(domain) && (wanted = DmarcReportParser.Domain(domain)) is null)
        {
            errors["domain"] = ["domain must be a domain name, e.g. salesmind.example."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var query = db.DmarcReports.AsNoTracking();
        if (wanted is not null)
        {
            query = query.Where(r => r.Domain == wanted);
        }

        if (after is { } cursor)
        {
            query = query.Where(r => r.Id < cursor);
        }

        var rows = await query.OrderByDescending(r => r.Id).Take(take + 1)
            .Select(r => new DmarcReportView(r.Id, r.OrgName, r.ReportId, r.Domain, r.Policy, r.BeginAt, r.EndAt, r.ReceivedAt,
                r.Records.Count, r.Records.Sum(x => (long)x.Count), r.Records.Where(x => x.Dkim != Pass && x.Spf != Pass).Sum(x => (long)x.Count)))
            .ToListAsync(ct);
        var items = rows.Take(take).ToList();
        return TypedResults.Ok(new DmarcReportPage(items, rows.Count > take ? items[^1].Id : null));
    }
}
