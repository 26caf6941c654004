using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;

namespace SalesMind.Notifier.DomainHealth;

/// <summary>What a DNS question got: the answers, "no such name / no such record" (empty), or an error (the lookup itself failed).</summary>
public sealed record DnsAnswer<T>(IReadOnlyList<T> Values, string? Error = null)
{
    public static DnsAnswer<T> Empty { get; } = new([]);

    public static DnsAnswer<T> Broken(string error) => new([], error);

    public bool Failed => Error is not null;
}

/// <summary>
/// The DNS questions the sender-domain checks ask. A seam so the SPF, DKIM and DMARC rules can be
/// tested with a fake zone; <see cref="DnsClientLookup"/> asks a real resolver.
/// </summary>
public interface IDnsLookup
{
    /// <summary>The TXT records of <paramref name="name"/>, each with its strings joined (as SPF, DKIM and DMARC read them).</summary>
    Task<DnsAnswer<string>> TxtAsync(string name, CancellationToken ct);

    /// <summary>The A and AAAA addresses of <paramref name="name"/>.</summary>
    Task<DnsAnswer<IPAddress>> AddressesAsync(string name, CancellationToken ct);

    /// <summary>The MX hosts of <paramref name="name"/>, most preferred first.</summary>
    Task<DnsAnswer<string>> MxAsync(string name, CancellationToken ct);
}

/// <summary>Real lookups with DnsClient, against <c>DomainHealth:DnsServer</c> or the system's resolvers.</summary>
public sealed class DnsClientLookup(SenderDomainOptions options) : IDnsLookup
{
    private LookupClient? _client;

    // Made at the first question (a resolver given by name is looked up then, not at start-up).
    private LookupClient Client() => _client ??= new LookupClient(Options(options));

    private static LookupClientOptions Options(SenderDomainOptions options)
    {
        LookupClientOptions lookup;
        if (options.DnsServer is { Length: > 0 } server && SenderDomainOptions.TryParseServer(server, out var host, out var port))
        {
            var address = IPAddress.TryParse(host, out var ip) ? ip : Dns.GetHostAddresses(host).First();
            lookup = new LookupClientOptions(new NameServer(address, port));
        }
        else
        {
            lookup = new LookupClientOptions();
        }

        // No cache here: the checks cache their whole result, and "re-check now" must see a record just published.
        lookup.UseCache = false;
        lookup.Timeout = options.DnsTimeout;
        lookup.Retries = 1;
        lookup.UseTcpFallback = true;
        lookup.ThrowDnsErrors = false;
        lookup.ContinueOnDnsError = false;
        return lookup;
    }

    public async Task<DnsAnswer<string>> TxtAsync(string name, CancellationToken ct) =>
        await QueryAsync(name, QueryType.TXT, r => r.Answers.TxtRecords().Select(t => string.Concat(t.Text)), ct);

    public async Task<DnsAnswer<IPAddress>> AddressesAsync(string name, CancellationToken ct)
    {
        var v4 = await QueryAsync(name, QueryType.A, r => r.Answers.ARecords().Select(a => a.Address), ct);
        var v6 = await QueryAsync(name, QueryType.AAAA, r => r.Answers.AaaaRecords().Select(a => a.Address), ct);
        return v4.Failed ? v4 : v6.Failed ? v6 : new DnsAnswer<IPAddress>([.. v4.Values, .. v6.Values]);
    }

    public async Task<DnsAnswer<string>> MxAsync(string name, CancellationToken ct) =>
        await QueryAsync(name, QueryType.MX,
            r => r.Answers.MxRecords().OrderBy(m => m.Preference).Select(m => m.Exchange.Value.TrimEnd('.')), ct);

    private async Task<DnsAnswer<T>> QueryAsync<T>(string name, QueryType type, Func<IDnsQueryResponse, IEnumerable<T>> read, CancellationToken ct)
    {
        try
        {
            var response = await Client().QueryAsync(name, type, QueryClass.IN, ct);
            return response.Header.ResponseCode switch
            {
                DnsHeaderResponseCode.NoError => new DnsAnswer<T>(read(response).ToList()),
                DnsHeaderResponseCode.NotExistentDomain => DnsAnswer<T>.Empty,
                var code => DnsAnswer<T>.Broken($"{type} {name}: the resolver answered {code}"),
            };
        }
        catch (DnsResponseException e)
        {
            return DnsAnswer<T>.Broken($"{type} {name}: {e.Message}");
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException or ArgumentException)
        {
            // The resolver's own name did not resolve, or the name asked is not a valid DNS name.
            return DnsAnswer<T>.Broken($"{type} {name}: {e.Message}");
        }
    }
}
