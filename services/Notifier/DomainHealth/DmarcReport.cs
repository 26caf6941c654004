namespace SalesMind.Notifier.DomainHealth;

/// <summary>One DMARC aggregate report (RFC 7489 appendix C), mailed by a receiver to the report address.</summary>
public sealed class DmarcReport
{
    public long Id { get; set; }

    /// <summary>Who sent it (<c>report_metadata/org_name</c>).</summary>
    public required string OrgName { get; set; }

    /// <summary>The reporter's id for it; with <see cref="OrgName"/> it is unique, so a report mailed twice counts once.</summary>
    public required string ReportId { get; set; }

    /// <summary>The domain it is about (<c>policy_published/domain</c>).</summary>
    public required string Domain { get; set; }

    public DateTimeOffset BeginAt { get; set; }

    public DateTimeOffset EndAt { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    /// <summary>The published policy it saw (<c>p=</c>): none, quarantine, reject.</summary>
    public string? Policy { get; set; }

    public List<DmarcReportRecord> Records { get; set; } = [];
}

/// <summary>One row of a report: mail from one source address and its evaluation.</summary>
public sealed class DmarcReportRecord
{
    public long Id { get; set; }

    public long DmarcReportId { get; set; }

    public required string SourceIp { get; set; }

    public int Count { get; set; }

    /// <summary>none, quarantine, reject.</summary>
    public string? Disposition { get; set; }

    /// <summary>The DKIM result as DMARC evaluated it: pass or fail.</summary>
    public string? Dkim { get; set; }

    /// <summary>The SPF result as DMARC evaluated it: pass or fail.</summary>
    public string? Spf { get; set; }

    public string? HeaderFrom { get; set; }
}
