using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.DomainHealth;

/// <summary>
/// The health of every sender domain (the senders' and <c>Mail:FromAddress</c>'s): checked on
/// request, kept for <c>DomainHealth:CacheFor</c>, and checked again at once on "re-check now".
/// One check runs at a time; requests that arrive during one share the next. Nothing here is
/// part of readiness: DNS trouble shows on the dashboard, it never takes the service out.
/// </summary>
public sealed partial class SenderDomainHealth(
    IServiceScopeFactory scopes, IDnsLookup dns, IOptions<SenderDomainOptions> options, IOptions<MailOptions> mail,
    IOptions<BounceOptions> bounces, TimeProvider time, IMeterFactory meters, ILogger<SenderDomainHealth> logger)
{
    public const string MeterName = "SalesMind.Notifier.DomainHealth";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private ObservableGauge<int>? _gauge;
    private volatile DomainHealthReport? _last;

    /// <summary>The latest report, if any (for the metrics).</summary>
    public DomainHealthReport? Last => _last;

    /// <summary>The cached report while it is fresh, else a new check; <paramref name="now"/> forces one.</summary>
    public async Task<DomainHealthReport> GetAsync(bool now, CancellationToken ct)
    {
        var asked = time.GetUtcNow();
        if (!now && _last is { } cached && asked < cached.FreshUntil)
        {
            return cached;
        }

        await _gate.WaitAsync(ct);
        try
        {
            // A check that began after this request did is as fresh as a new one would be.
            if (_last is { } done && (done.CheckedAt >= asked || (!now && time.GetUtcNow() < done.FreshUntil)))
            {
                return done;
            }

            _last = await CheckAsync(ct);
            return _last;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<DomainHealthReport> CheckAsync(CancellationToken ct)
    {
        // Made with the first check (inside the gate): before it there is nothing to report.
        _gauge ??= meters.Create(MeterName).CreateObservableGauge("salesmind.domain_health.status", () => Statuses(_last),
            description: "SPF, DKIM and DMARC status of each sender domain at the last check: 0 ok, 1 warn, 2 fail");
        var o = options.Value;
        var started = time.GetUtcNow();
        var domains = await SenderDomainsAsync(ct);
        var reportAddress = o.ReportAddress(bounces.Value.DmarcReportMailbox);
        var checker = new SenderDomainChecker(dns, o, DkimKeys.Load(o), reportAddress, bounces.Value.Domain);
        var results = await Task.WhenAll(domains.Select(d => checker.CheckAsync(d.Key, d.Value, ct)));
        foreach (var result in results.Where(r => r.Status != CheckStatus.Ok))
        {
            LogDomainProblem(logger, result.Domain, result.Spf.Status, result.Dkim.Status, result.Dmarc.Status);
        }

        return new DomainHealthReport(started, started + o.CacheFor, o.DnsServer is { Length: > 0 } s ? s : "system resolver",
            o.SendingAddresses, reportAddress, results);
    }

    /// <summary>Each sender domain with our addresses at it, <c>Mail:FromAddress</c>'s first.</summary>
    private async Task<List<KeyValuePair<string, List<string>>>> SenderDomainsAsync(CancellationToken ct)
    {
        var from = mail.Value.FromAddress.Trim();
        List<string> addresses;
        await using (var scope = scopes.CreateAsyncScope())
        {
            addresses = await scope.ServiceProvider.GetRequiredService<NotifierDb>().Senders.AsNoTracking().Select(s => s.Address).ToListAsync(ct);
        }

        return addresses.Prepend(from)
            .Where(a => a.LastIndexOf('@') is > 0 and var at && at < a.Length - 1)
            .GroupBy(a => a[(a.LastIndexOf('@') + 1)..].Trim().TrimEnd('.').ToLowerInvariant())
            .OrderByDescending(g => g.Contains(from, StringComparer.OrdinalIgnoreCase))
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => KeyValuePair.Create(g.Key, g.Select(a => a.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal).ToList()))
            .ToList();
    }

    /// <summary>salesmind.domain_health.status: per domain and check, 0 ok, 1 warn, 2 fail (as of the last check).</summary>
    private static IEnumerable<Measurement<int>> Statuses(DomainHealthReport? report)
    {
        if (report is null)
        {
            yield break;
        }

        foreach (var d in report.Domains)
        {
            yield return new((int)d.Spf.Status, new("domain", d.Domain), new("check", "spf"));
            yield return new((int)d.Dkim.Status, new("domain", d.Domain), new("check", "dkim"));
            yield return new((int)d.Dmarc.Status, new("domain", d.Domain), new("check", "dmarc"));
        }
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Sender domain {Domain} needs attention: SPF {Spf}, DKIM {Dkim}, DMARC {Dmarc}")]
    private static partial void LogDomainProblem(ILogger logger, string domain, CheckStatus spf, CheckStatus dkim, CheckStatus dmarc);
}

public static class SenderDomainHealthSetup
{
    /// <summary>The sender-domain checks: options, the DNS client, the cached checker and its gauge.</summary>
    public static IServiceCollection AddSenderDomainHealth(this IServiceCollection services)
    {
        services.AddOptions<SenderDomainOptions>().BindConfiguration(SenderDomainOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.DnsServer is not { Length: > 0 } s || SenderDomainOptions.TryParseServer(s, out _, out _),
                "DomainHealth:DnsServer must be host:port, an address, or empty for the system's resolvers (e.g. 127.0.0.1:5354).")
            .ValidateOnStart();
        services.AddSingleton<IDnsLookup>(sp => new DnsClientLookup(sp.GetRequiredService<IOptions<SenderDomainOptions>>().Value));
        services.AddSingleton<SenderDomainHealth>();
        services.ConfigureOpenTelemetryMeterProvider(m => m.AddMeter(SenderDomainHealth.MeterName));
        return services;
    }
}
