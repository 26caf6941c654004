using System.Text.Json.Serialization;

namespace SalesMind.Notifier.DomainHealth;

[JsonConverter(typeof(JsonStringEnumConverter<CheckStatus>))]
public enum CheckStatus
{
    [JsonStringEnumMemberName("ok")]
    Ok,

    [JsonStringEnumMemberName("warn")]
    Warn,

    [JsonStringEnumMemberName("fail")]
    Fail,
}

/// <summary>
/// One check of one domain: its status, a sentence a person can act on, the records it read
/// (as published) and the details behind the verdict (which mechanism matched, which selector).
/// </summary>
public sealed record DomainCheck(CheckStatus Status, string Reason, IReadOnlyList<string> Records, IReadOnlyList<string> Details)
{
    public static DomainCheck Ok(string reason, IReadOnlyList<string>? records = null, IReadOnlyList<string>? details = null) =>
        new(CheckStatus.Ok, reason, records ?? [], details ?? []);

    public static DomainCheck Warn(string reason, IReadOnlyList<string>? records = null, IReadOnlyList<string>? details = null) =>
        new(CheckStatus.Warn, reason, records ?? [], details ?? []);

    public static DomainCheck Fail(string reason, IReadOnlyList<string>? records = null, IReadOnlyList<string>? details = null) =>
        new(CheckStatus.Fail, reason, records ?? [], details ?? []);

    /// <summary>The worst of several statuses (fail over warn over ok).</summary>
    public static CheckStatus Worst(params IEnumerable<CheckStatus> statuses) => statuses.DefaultIfEmpty(CheckStatus.Ok).Max();
}

/// <summary>A sender domain's three checks, and the addresses of ours that send as it.</summary>
public sealed record SenderDomainResult(string Domain, IReadOnlyList<string> Senders, CheckStatus Status, DomainCheck Spf, DomainCheck Dkim, DomainCheck Dmarc);

/// <summary>Every sender domain at one moment, with what the checks used.</summary>
public sealed record DomainHealthReport(
    DateTimeOffset CheckedAt, DateTimeOffset FreshUntil, string DnsServer, IReadOnlyList<string> SendingAddresses, string DmarcReportAddress,
    IReadOnlyList<SenderDomainResult> Domains);
