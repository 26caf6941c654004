using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace SalesMind.Notifier.DomainHealth;

/// <summary>The results of RFC 7208 §2.6, plus <see cref="Unknown"/> for a record this evaluator cannot follow (macros).</summary>
public enum SpfResult
{
    None,
    Neutral,
    Pass,
    Fail,
    SoftFail,
    TempError,
    PermError,
    Unknown,
}

/// <summary>What SPF says about one address: the result, the mechanism that decided it and the record it is in.</summary>
public sealed record SpfOutcome(SpfResult Result, string Explanation, string? Mechanism = null, string? Domain = null);

/// <summary>
/// RFC 7208's check_host() for one address and domain: ip4, ip6, a, mx, include, exists, ptr, all
/// and redirect=, with the limit of 10 DNS-querying terms (§4.6.4), 10 MX names per mx, and 2
/// void lookups. Macros (<c>%{…}</c>) are not expanded: such a record comes out
/// <see cref="SpfResult.Unknown"/>, never as a pass or fail it may not be.
/// </summary>
public sealed partial class SpfEvaluator(IDnsLookup dns)
{
    public const int LookupLimit = 10;
    private const int MxLimit = 10;
    private const int VoidLimit = 2;

    /// <summary>Whether a TXT record is an SPF record (<c>v=spf1</c> alone or followed by a space).</summary>
    public static bool IsSpf(string txt) =>
        txt.StartsWith("v=spf1", StringComparison.OrdinalIgnoreCase) && (txt.Length == 6 || txt[6] == ' ');

    public async Task<SpfOutcome> CheckHostAsync(IPAddress address, string domain, CancellationToken ct) =>
        await EvaluateAsync(address, domain.TrimEnd('.'), new Budget(), ct);

    private sealed class Budget
    {
        public int Lookups;
        public int Voids;
    }

    private sealed class LimitExceeded(string message) : Exception(message);

    private async Task<SpfOutcome> EvaluateAsync(IPAddress ip, string domain, Budget budget, CancellationToken ct)
    {
        var txt = await dns.TxtAsync(domain, ct);
        if (txt.Failed)
        {
            return new(SpfResult.TempError, txt.Error!, Domain: domain);
        }

        var records = txt.Values.Where(IsSpf).ToList();
        if (records.Count == 0)
        {
            return new(SpfResult.None, $"{domain} has no v=spf1 record", Domain: domain);
        }

        if (records.Count > 1)
        {
            return new(SpfResult.PermError, $"{domain} has {records.Count} v=spf1 records (exactly one is allowed)", Domain: domain);
        }

        try
        {
            return await EvaluateRecordAsync(ip, domain, records[0], budget, ct);
        }
        catch (LimitExceeded e)
        {
            return new(SpfResult.PermError, e.Message, Domain: domain);
        }
    }

    private async Task<SpfOutcome> EvaluateRecordAsync(IPAddress ip, string domain, string record, Budget budget, CancellationToken ct)
    {
        string? redirect = null;
        foreach (var term in record.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            if (Modifier().Match(term) is { Success: true } modifier)
            {
                if (modifier.Groups[1].Value.Equals("redirect", StringComparison.OrdinalIgnoreCase))
                {
                    redirect = modifier.Groups[2].Value;
                }

                // exp= and unknown modifiers change no result (§6).
                continue;
            }

            if (term.Contains('%'))
            {
                return new(SpfResult.Unknown, $"'{term}' in {domain}'s record uses a macro, which this check does not evaluate", term, domain);
            }

            var qualifier = term[0] is '+' or '-' or '~' or '?' ? term[0] : '+';
            var body = term[0] is '+' or '-' or '~' or '?' ? term[1..] : term;
            var name = body.Split(':', '/')[0].ToLowerInvariant();
            var match = name switch
            {
                "all" => Matched.Yes,
                "ip4" or "ip6" => MatchIp(ip, body, name),
                "a" => await MatchAAsync(ip, domain, body, budget, ct),
                "mx" => await MatchMxAsync(ip, domain, body, budget, ct),
                "include" => await MatchIncludeAsync(ip, body, budget, ct),
                "exists" => await MatchExistsAsync(body, budget, ct),
                // Deprecated (§5.5) and slow; counted, never relied on.
                "ptr" => CountOnly(budget),
                _ => Matched.Invalid($"unknown mechanism '{term}' in {domain}'s record"),
            };
            switch (match.Kind)
            {
                case MatchKind.Yes:
                    return new(FromQualifier(qualifier), $"{term} in {domain}'s record{match.Note}", term, domain);
                case MatchKind.TempError:
                    return new(SpfResult.TempError, match.Note, term, domain);
                case MatchKind.PermError:
                    return new(SpfResult.PermError, match.Note, term, domain);
            }
        }

        if (redirect is not null)
        {
            Count(budget);
            var target = await EvaluateAsync(ip, redirect, budget, ct);
            return target.Result == SpfResult.None
                ? target with { Result = SpfResult.PermError, Explanation = $"redirect={redirect} in {domain}'s record leads to no SPF record" }
                : target;
        }

        return new(SpfResult.Neutral, $"no mechanism of {domain}'s record matches and it has no 'all' (neutral)", Domain: domain);
    }

    private enum MatchKind
    {
        No,
        Yes,
        TempError,
        PermError,
    }

    private sealed record Matched(MatchKind Kind, string Note = "")
    {
        public static readonly Matched Yes = new(MatchKind.Yes);
        public static readonly Matched No = new(MatchKind.No);

        public static Matched Invalid(string why) => new(MatchKind.PermError, why);
    }

    private static bool Count(Budget budget)
    {
        if (++budget.Lookups > LookupLimit)
        {
            throw new LimitExceeded($"more than {LookupLimit} DNS-querying terms (include, a, mx, ptr, exists, redirect): receivers stop with permerror (RFC 7208 §4.6.4)");
        }

        return true;
    }

    private static Matched CountOnly(Budget budget)
    {
        Count(budget);
        return Matched.No;
    }

    private static void Void(Budget budget)
    {
        if (++budget.Voids > VoidLimit)
        {
            throw new LimitExceeded($"more than {VoidLimit} lookups found nothing: receivers stop with permerror (RFC 7208 §4.6.4)");
        }
    }

    private static SpfResult FromQualifier(char qualifier) => qualifier switch
    {
        '-' => SpfResult.Fail,
        '~' => SpfResult.SoftFail,
        '?' => SpfResult.Neutral,
        _ => SpfResult.Pass,
    };

    private static Matched MatchIp(IPAddress ip, string body, string name)
    {
        if (body.Length <= name.Length + 1 || body[name.Length] != ':')
        {
            return Matched.Invalid($"'{body}' has no address");
        }

        var value = body[(name.Length + 1)..];

        var slash = value.IndexOf('/');
        var text = slash < 0 ? value : value[..slash];
        var family = name == "ip4" ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        var max = family == AddressFamily.InterNetwork ? 32 : 128;
        if (!IPAddress.TryParse(text, out var network) || network.AddressFamily != family)
        {
            return Matched.Invalid($"'{body}' is not a valid {name} address");
        }

        var length = max;
        if (slash >= 0 && (!int.TryParse(value[(slash + 1)..], out length) || length < 0 || length > max))
        {
            return Matched.Invalid($"'{body}' has an invalid prefix length");
        }

        return InNetwork(ip, network, length) ? Matched.Yes : Matched.No;
    }

    /// <summary>Whether <paramref name="ip"/> is in <paramref name="network"/>/<paramref name="length"/> (same family only; an IPv4-mapped IPv6 address counts as IPv4).</summary>
    public static bool InNetwork(IPAddress ip, IPAddress network, int length)
    {
        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }

        if (ip.AddressFamily != network.AddressFamily)
        {
            return false;
        }

        var a = ip.GetAddressBytes();
        var b = network.GetAddressBytes();
        var full = length / 8;
        for (var i = 0; i < full; i++)
        {
            if (a[i] != b[i])
            {
                return false;
            }
        }

        var rest = length % 8;
        if (rest == 0)
        {
            return true;
        }

        var mask = (byte)(0xFF << (8 - rest));
        return (a[full] & mask) == (b[full] & mask);
    }

    /// <summary>The target and the IPv4 / IPv6 prefix lengths of <c>a</c> or <c>mx</c> (<c>a:host/24//64</c>).</summary>
    private static (string Target, int V4, int V6)? DomainAndCidr(string body, string name, string current)
    {
        var rest = body[name.Length..];
        var v4 = 32;
        var v6 = 128;
        var dual = rest.IndexOf("//", StringComparison.Ordinal);
        if (dual >= 0)
        {
            if (!int.TryParse(rest[(dual + 2)..], out v6) || v6 is < 0 or > 128)
            {
                return null;
            }

            rest = rest[..dual];
        }

        var slash = rest.IndexOf('/');
        if (slash >= 0)
        {
            if (!int.TryParse(rest[(slash + 1)..], out v4) || v4 is < 0 or > 32)
            {
                return null;
            }

            rest = rest[..slash];
        }

        if (rest.Length == 0)
        {
            return (current, v4, v6);
        }

        return rest[0] == ':' && rest.Length > 1 ? (rest[1..], v4, v6) : null;
    }

    private static bool AnyInNetwork(IPAddress ip, IEnumerable<IPAddress> addresses, int v4, int v6) =>
        addresses.Any(a => InNetwork(ip, a, a.AddressFamily == AddressFamily.InterNetwork ? v4 : v6));

    private async Task<Matched> MatchAAsync(IPAddress ip, string domain, string body, Budget budget, CancellationToken ct)
    {
        if (DomainAndCidr(body, "a", domain) is not { } spec)
        {
            return Matched.Invalid($"'{body}' is not a valid a mechanism");
        }

        Count(budget);
        var found = await dns.AddressesAsync(spec.Target, ct);
        if (found.Failed)
        {
            return new(MatchKind.TempError, found.Error!);
        }

        if (found.Values.Count == 0)
        {
            Void(budget);
        }

        return AnyInNetwork(ip, found.Values, spec.V4, spec.V6) ? Matched.Yes with { Note = $" ({spec.Target} has this address)" } : Matched.No;
    }

    private async Task<Matched> MatchMxAsync(IPAddress ip, string domain, string body, Budget budget, CancellationToken ct)
    {
        if (DomainAndCidr(body, "mx", domain) is not { } spec)
        {
            return Matched.Invalid($"'{body}' is not a valid mx mechanism");
        }

        Count(budget);
        var hosts = await dns.MxAsync(spec.Target, ct);
        if (hosts.Failed)
        {
            return new(MatchKind.TempError, hosts.Error!);
        }

        if (hosts.Values.Count == 0)
        {
            Void(budget);
        }

        if (hosts.Values.Count > MxLimit)
        {
            return Matched.Invalid($"{spec.Target} has more than {MxLimit} MX hosts (RFC 7208 §4.6.4)");
        }

        foreach (var host in hosts.Values)
        {
            var found = await dns.AddressesAsync(host, ct);
            if (found.Failed)
            {
                return new(MatchKind.TempError, found.Error!);
            }

            if (AnyInNetwork(ip, found.Values, spec.V4, spec.V6))
            {
                return Matched.Yes with { Note = $" (MX host {host} has this address)" };
            }
        }

        return Matched.No;
    }

    private async Task<Matched> MatchIncludeAsync(IPAddress ip, string body, Budget budget, CancellationToken ct)
    {
        if (body.Length <= "include:".Length || body[7] != ':')
        {
            return Matched.Invalid($"'{body}' names no domain");
        }

        var target = body[8..];
        Count(budget);
        var inner = await EvaluateAsync(ip, target, budget, ct);
        return inner.Result switch
        {
            SpfResult.Pass => Matched.Yes with { Note = $", through {inner.Mechanism} in {inner.Domain}'s record" },
            SpfResult.Fail or SpfResult.SoftFail or SpfResult.Neutral => Matched.No,
            SpfResult.TempError => new(MatchKind.TempError, inner.Explanation),
            SpfResult.Unknown => new(MatchKind.PermError, inner.Explanation),
            // None inside an include is a permerror (§5.2): the record points at nothing.
            _ => new(MatchKind.PermError, inner.Result == SpfResult.None ? $"include:{target} has no SPF record (permerror)" : inner.Explanation),
        };
    }

    private async Task<Matched> MatchExistsAsync(string body, Budget budget, CancellationToken ct)
    {
        if (body.Length <= "exists:".Length || body[6] != ':')
        {
            return Matched.Invalid($"'{body}' names no domain");
        }

        Count(budget);
        var found = await dns.AddressesAsync(body[7..], ct);
        if (found.Failed)
        {
            return new(MatchKind.TempError, found.Error!);
        }

        if (found.Values.Count == 0)
        {
            Void(budget);
        }

        return found.Values.Any(a => a.AddressFamily == AddressFamily.InterNetwork) ? Matched.Yes : Matched.No;
    }

    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9_.-]*)=(.*)$")]
    private static partial Regex Modifier();
}
