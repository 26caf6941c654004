using System.Net;

namespace SalesMind.Notifier.DomainHealth;

/// <summary>
/// The SPF, DKIM and DMARC checks of one sender domain against what the mail server really
/// uses: its sending addresses, its DKIM public keys, and the DMARC report address.
/// </summary>
public sealed class SenderDomainChecker(IDnsLookup dns, SenderDomainOptions options, IReadOnlyList<DkimKey> dkimKeys, string reportAddress, string bounceDomain)
{
    public async Task<SenderDomainResult> CheckAsync(string domain, IReadOnlyList<string> senders, CancellationToken ct)
    {
        var spf = CheckSpfAsync(domain, ct);
        var dkim = CheckDkimAsync(domain, ct);
        var dmarc = CheckDmarcAsync(domain, ct);
        await Task.WhenAll(spf, dkim, dmarc);
        return new SenderDomainResult(domain, senders, DomainCheck.Worst(spf.Result.Status, dkim.Result.Status, dmarc.Result.Status), spf.Result, dkim.Result, dmarc.Result);
    }

    // ---- SPF ------------------------------------------------------------------------------------

    public async Task<DomainCheck> CheckSpfAsync(string domain, CancellationToken ct)
    {
        var txt = await dns.TxtAsync(domain, ct);
        if (txt.Failed)
        {
            return DomainCheck.Warn($"the SPF record could not be looked up: {txt.Error}");
        }

        var records = txt.Values.Where(SpfEvaluator.IsSpf).ToList();
        if (records.Count == 0)
        {
            return DomainCheck.Fail($"{domain} publishes no SPF record (a TXT record starting with v=spf1)");
        }

        if (records.Count > 1)
        {
            return DomainCheck.Fail($"{domain} publishes {records.Count} SPF records; exactly one is allowed, so receivers treat it as an error (merge them into one)", records);
        }

        var details = new List<string>();
        var worst = CheckStatus.Ok;
        var problems = new List<string>();
        var all = AllQualifier(records[0]);
        details.Add(all is null ? "no 'all' mechanism: anything not listed is neutral" : $"all qualifier: {all}all ({AllMeaning(all.Value)})");
        if (all == '+')
        {
            worst = CheckStatus.Fail;
            problems.Add("'+all' lets anyone send as this domain");
        }
        else if (all is null or '?')
        {
            worst = DomainCheck.Worst(worst, CheckStatus.Warn);
            problems.Add("the record does not end in -all or ~all, so it protects nothing");
        }

        var addresses = SendingAddresses(out var invalid);
        foreach (var bad in invalid)
        {
            problems.Add($"DomainHealth:SendingAddresses holds '{bad}', which is not an address or CIDR range");
            worst = DomainCheck.Worst(worst, CheckStatus.Warn);
        }

        if (addresses.Count == 0)
        {
            worst = DomainCheck.Worst(worst, CheckStatus.Warn);
            problems.Add("DomainHealth:SendingAddresses is not set, so whether SPF authorizes the mail server was not checked");
        }

        foreach (var (label, ip) in addresses)
        {
            var outcome = await new SpfEvaluator(dns).CheckHostAsync(ip, domain, ct);
            details.Add($"{label}: {outcome.Result.ToString().ToLowerInvariant()} — {outcome.Explanation}");
            switch (outcome.Result)
            {
                case SpfResult.Pass:
                    break;
                case SpfResult.Fail or SpfResult.SoftFail or SpfResult.PermError or SpfResult.None:
                    worst = CheckStatus.Fail;
                    problems.Add($"{label} is not authorized ({outcome.Result.ToString().ToLowerInvariant()}: {outcome.Explanation})");
                    break;
                default:
                    worst = DomainCheck.Worst(worst, CheckStatus.Warn);
                    problems.Add($"{label} is not clearly authorized ({outcome.Result.ToString().ToLowerInvariant()}: {outcome.Explanation})");
                    break;
            }
        }

        var reason = problems.Count > 0
            ? string.Join("; ", problems)
            : $"one SPF record; it authorizes {string.Join(", ", addresses.Select(a => a.Label))} and ends in {all}all";
        return new DomainCheck(worst, reason, records, details);
    }

    private static char? AllQualifier(string record)
    {
        foreach (var term in record.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var body = term.TrimStart('+', '-', '~', '?');
            if (body.Equals("all", StringComparison.OrdinalIgnoreCase))
            {
                return term.Length > body.Length ? term[0] : '+';
            }
        }

        return null;
    }

    private static string AllMeaning(char qualifier) => qualifier switch
    {
        '-' => "everything else fails",
        '~' => "everything else soft-fails",
        '?' => "everything else is neutral",
        _ => "everything else passes",
    };

    /// <summary>The configured sending addresses to evaluate: an address as is, a range by its first and last address.</summary>
    private List<(string Label, IPAddress Ip)> SendingAddresses(out List<string> invalid)
    {
        var list = new List<(string, IPAddress)>();
        invalid = [];
        foreach (var entry in options.SendingAddresses.Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a.Trim()))
        {
            var slash = entry.IndexOf('/');
            if (slash < 0)
            {
                if (IPAddress.TryParse(entry, out var ip))
                {
                    list.Add((entry, ip));
                }
                else
                {
                    invalid.Add(entry);
                }

                continue;
            }

            if (!IPAddress.TryParse(entry[..slash], out var network) || !int.TryParse(entry[(slash + 1)..], out var length) ||
                length < 0 || length > network.GetAddressBytes().Length * 8)
            {
                invalid.Add(entry);
                continue;
            }

            var (first, last) = Range(network, length);
            list.Add(($"{entry} (first address {first})", first));
            if (!first.Equals(last))
            {
                list.Add(($"{entry} (last address {last})", last));
            }
        }

        return list;
    }

    private static (IPAddress First, IPAddress Last) Range(IPAddress network, int length)
    {
        var first = network.GetAddressBytes();
        var last = network.GetAddressBytes();
        for (var bit = length; bit < first.Length * 8; bit++)
        {
            first[bit / 8] &= (byte)~(0x80 >> (bit % 8));
            last[bit / 8] |= (byte)(0x80 >> (bit % 8));
        }

        return (new IPAddress(first), new IPAddress(last));
    }

    // ---- DKIM -----------------------------------------------------------------------------------

    public async Task<DomainCheck> CheckDkimAsync(string domain, CancellationToken ct)
    {
        var statuses = new List<CheckStatus>();
        var reasons = new List<string>();
        var records = new List<string>();
        var details = new List<string>();
        foreach (var key in dkimKeys)
        {
            var (status, reason, published) = await CheckSelectorAsync(domain, key, ct);
            statuses.Add(status);
            records.AddRange(published);
            var role = key.Signing ? "signing selector" : "selector (rotation)";
            details.Add($"{role} {key.Selector}: {status.ToString().ToLowerInvariant()} — {reason}");
            if (key.Signing || status != CheckStatus.Ok)
            {
                reasons.Add($"{key.Selector}: {reason}");
            }
        }

        return new DomainCheck(DomainCheck.Worst(statuses), string.Join("; ", reasons), records, details);
    }

    private async Task<(CheckStatus, string, IReadOnlyList<string>)> CheckSelectorAsync(string domain, DkimKey key, CancellationToken ct)
    {
        var name = $"{key.Selector}._domainkey.{domain}";
        var txt = await dns.TxtAsync(name, ct);
        if (txt.Failed)
        {
            return (CheckStatus.Warn, $"the record could not be looked up: {txt.Error}", []);
        }

        // Records other than DKIM keys may sit at the name (rare); a DKIM record has p= (RFC 6376 §3.6.1).
        var candidates = txt.Values.Where(v => DkimKeys.Tags(v).ContainsKey("p")).ToList();
        if (candidates.Count == 0)
        {
            return key.Signing
                ? (CheckStatus.Fail, $"no DKIM record at {name}: receivers cannot check the signature", txt.Values)
                : (CheckStatus.Warn, $"no DKIM record at {name} (publish it before switching to it, keep it until the key is retired)", txt.Values);
        }

        if (candidates.Count > 1)
        {
            return (CheckStatus.Fail, $"{candidates.Count} DKIM records at {name}: receivers may pick either", candidates);
        }

        var tags = DkimKeys.Tags(candidates[0]);
        if (tags.TryGetValue("v", out var version) && !version.Equals("DKIM1", StringComparison.Ordinal))
        {
            return (CheckStatus.Fail, $"v={version} at {name}: a DKIM record says v=DKIM1", candidates);
        }

        if (tags["p"].Length == 0)
        {
            return (CheckStatus.Fail, $"the key at {name} is revoked (empty p=)", candidates);
        }

        var published = DkimKeys.Normalize(tags["p"]);
        if (published is null)
        {
            return (CheckStatus.Fail, $"p= at {name} is not base64 (a truncated or wrongly pasted key?)", candidates);
        }

        if (key.Problem is not null)
        {
            return (CheckStatus.Warn, $"published, but the mail server's key is unknown: {key.Problem}", candidates);
        }

        if (key.PublicKey is null)
        {
            return (CheckStatus.Warn, $"published (key {DkimKeys.Fingerprint(published)}), not compared: DomainHealth:DkimPublicKeyPath is not set", candidates);
        }

        return published.AsSpan().SequenceEqual(key.PublicKey)
            ? (CheckStatus.Ok, $"{name} publishes the mail server's key ({DkimKeys.Fingerprint(published)})", candidates)
            : (CheckStatus.Fail, $"{name} publishes key {DkimKeys.Fingerprint(published)}, but the mail server's key is {DkimKeys.Fingerprint(key.PublicKey)}: signatures will fail", candidates);
    }

    // ---- DMARC ----------------------------------------------------------------------------------

    public async Task<DomainCheck> CheckDmarcAsync(string domain, CancellationToken ct)
    {
        var name = $"_dmarc.{domain}";
        var txt = await dns.TxtAsync(name, ct);
        if (txt.Failed)
        {
            return DomainCheck.Warn($"the DMARC record could not be looked up: {txt.Error}");
        }

        var records = txt.Values.Where(v => v.TrimStart().StartsWith("v=DMARC1", StringComparison.Ordinal)).ToList();
        if (records.Count == 0)
        {
            return DomainCheck.Fail($"no DMARC record at {name}: large mailbox providers require one (v=DMARC1; p=none; rua=mailto:{reportAddress} to start)");
        }

        if (records.Count > 1)
        {
            return DomainCheck.Fail($"{records.Count} DMARC records at {name}: receivers then apply none (RFC 7489 §6.6.3)", records);
        }

        if (DmarcPolicy.Parse(records[0]) is not { } policy)
        {
            return DomainCheck.Fail($"the record at {name} is not valid DMARC: v=DMARC1 must come first and p= second", records);
        }

        var statuses = new List<CheckStatus>();
        var problems = new List<string>();
        var details = new List<string>
        {
            $"policy p={policy.Policy}" + (policy.SubdomainPolicy is { } sp ? $", subdomains sp={sp}" : "") + (policy.Percent < 100 ? $", applied to {policy.Percent}%" : ""),
            $"alignment: DKIM {(policy.StrictDkim ? "strict (adkim=s)" : "relaxed")}, SPF {(policy.StrictSpf ? "strict (aspf=s)" : "relaxed")}",
            policy.AggregateTo.Count > 0 ? $"aggregate reports (rua) to {string.Join(", ", policy.AggregateTo)}" : "no aggregate reports (rua)",
        };

        if (policy.Policy is not ("none" or "quarantine" or "reject"))
        {
            return DomainCheck.Fail($"p={policy.Policy} at {name} is not none, quarantine or reject", records, details);
        }

        if (policy.Policy == "none")
        {
            statuses.Add(CheckStatus.Warn);
            problems.Add("p=none: receivers are only asked to report, not to act on mail that fails (tighten to quarantine, then reject, once the reports are clean)");
        }

        // SPF aligns through the return path, which is at the bounce domain.
        if (policy.StrictSpf && !bounceDomain.Equals(domain, StringComparison.OrdinalIgnoreCase))
        {
            statuses.Add(CheckStatus.Warn);
            problems.Add($"aspf=s: the return path's domain {bounceDomain} is not {domain}, so SPF never aligns and DMARC rests on DKIM alone");
        }
        else if (!policy.StrictSpf && !IsSameOrSubdomain(bounceDomain, domain) && !SameParent(bounceDomain, domain))
        {
            statuses.Add(CheckStatus.Warn);
            problems.Add($"the return path's domain {bounceDomain} is not under {domain}, so SPF does not align and DMARC rests on DKIM alone");
        }

        if (policy.AggregateTo.Count == 0)
        {
            statuses.Add(CheckStatus.Warn);
            problems.Add($"no rua=: nobody receives aggregate reports (add rua=mailto:{reportAddress})");
        }
        else if (!policy.AggregateTo.Contains(reportAddress, StringComparer.OrdinalIgnoreCase))
        {
            statuses.Add(CheckStatus.Warn);
            problems.Add($"rua= does not include our report address {reportAddress}, so its reports are not counted here");
        }
        else if (!ReportDomainAligned(domain, reportAddress))
        {
            // RFC 7489 §7.1: a report address at another organisation's domain must agree to take them.
            var authorization = $"{domain}._report._dmarc.{reportAddress[(reportAddress.IndexOf('@') + 1)..]}";
            var auth = await dns.TxtAsync(authorization, ct);
            if (!auth.Failed && !auth.Values.Any(v => v.StartsWith("v=DMARC1", StringComparison.Ordinal)))
            {
                statuses.Add(CheckStatus.Warn);
                problems.Add($"the report address is at another domain, and {authorization} has no v=DMARC1 record, so receivers will not send reports there");
            }
        }

        var reason = problems.Count > 0 ? string.Join("; ", problems) : $"p={policy.Policy}, reports to {reportAddress}";
        return new DomainCheck(DomainCheck.Worst(statuses), reason, records, details);
    }

    private static bool IsSameOrSubdomain(string name, string parent) =>
        name.Equals(parent, StringComparison.OrdinalIgnoreCase) || name.EndsWith("." + parent, StringComparison.OrdinalIgnoreCase);

    // Without the public suffix list, "the same organisation" is approximated by the last two labels.
    private static bool SameParent(string a, string b) =>
        string.Equals(LastLabels(a), LastLabels(b), StringComparison.OrdinalIgnoreCase);

    private static string LastLabels(string name) => string.Join('.', name.Split('.').TakeLast(2));

    private static bool ReportDomainAligned(string domain, string address)
    {
        var at = address[(address.IndexOf('@') + 1)..];
        return IsSameOrSubdomain(at, domain) || SameParent(at, domain);
    }
}

/// <summary>The parts of a DMARC record (RFC 7489 §6.3) the checks read.</summary>
public sealed record DmarcPolicy(string Policy, string? SubdomainPolicy, bool StrictDkim, bool StrictSpf, int Percent, IReadOnlyList<string> AggregateTo)
{
    /// <summary>Null unless the record starts with <c>v=DMARC1</c> followed by <c>p=</c>.</summary>
    public static DmarcPolicy? Parse(string record)
    {
        var tags = record.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(t => t.Split('=', 2, StringSplitOptions.TrimEntries))
            .Where(t => t.Length == 2)
            .Select(t => (Name: t[0].ToLowerInvariant(), Value: t[1]))
            .ToList();
        if (tags is not [("v", "DMARC1"), ("p", _), ..])
        {
            return null;
        }

        string? Tag(string name) => tags.FirstOrDefault(t => t.Name == name).Value;
        var percent = int.TryParse(Tag("pct"), out var pct) && pct is >= 0 and <= 100 ? pct : 100;
        var rua = (Tag("rua") ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(u => u.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
            .Select(u => Uri.UnescapeDataString(u["mailto:".Length..].Split('!')[0]))
            .ToList();
        return new DmarcPolicy(tags[1].Value.ToLowerInvariant(), Tag("sp")?.ToLowerInvariant(), Tag("adkim") == "s", Tag("aspf") == "s", percent, rua);
    }
}
