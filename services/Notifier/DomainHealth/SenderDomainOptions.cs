using System.ComponentModel.DataAnnotations;
using System.Net;

namespace SalesMind.Notifier.DomainHealth;

/// <summary>How the sender domains' SPF, DKIM and DMARC records are checked (section <c>DomainHealth</c>).</summary>
public sealed class SenderDomainOptions
{
    public const string Section = "DomainHealth";

    /// <summary>The resolver asked, <c>host:port</c> or an address (port 53); empty: the system's resolvers.</summary>
    public string? DnsServer { get; set; }

    /// <summary>How long one DNS question may take.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan DnsTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The addresses the mail server sends from (IPv4/IPv6 addresses or CIDR ranges): SPF must
    /// authorize each of them. Empty: the SPF check can only say whether a record exists.
    /// </summary>
    public string[] SendingAddresses { get; set; } = [];

    /// <summary>The DKIM selector the mail server signs with (<c>&lt;selector&gt;._domainkey.&lt;domain&gt;</c>).</summary>
    [Required, RegularExpression(@"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$", ErrorMessage = "DomainHealth:DkimSelector must be a DNS label, e.g. s1.")]
    public string DkimSelector { get; set; } = "s1";

    /// <summary>
    /// The mail server's DKIM public key: a PEM file, opendkim-genkey's <c>&lt;selector&gt;.txt</c>
    /// record file, or a directory of such files named after their selectors (during a rotation
    /// both keys are there, and a file <c>signing-selector</c>, written by ops/dkim-rotate, names
    /// the one that signs instead of <see cref="DkimSelector"/>). Empty: the DKIM check can only
    /// say whether a record exists.
    /// </summary>
    public string? DkimPublicKeyPath { get; set; }

    /// <summary>Where DMARC aggregate reports should go (the record's <c>rua=</c>); empty: the address the Notifier reads them at, <c>Bounces:DmarcReportAddress@Bounces:Domain</c>.</summary>
    [EmailAddress]
    public string? DmarcReportAddress { get; set; }

    /// <summary>How long a check's result is shown before the next request checks again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan CacheFor { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The DMARC report address: the one set here, else <paramref name="readAt"/> (where the report listener takes them).</summary>
    public string ReportAddress(string readAt) =>
        DmarcReportAddress is { Length: > 0 } address ? address : readAt;

    /// <summary>
    /// <c>host:port</c>, <c>[v6]:port</c>, or a host or address alone (port 53). Only the syntax is
    /// checked here: a name is resolved at the first check, so a resolver that is not up yet never
    /// stops the service from starting.
    /// </summary>
    public static bool TryParseServer(string value, out string host, out int port)
    {
        host = value;
        port = 53;
        if (IPAddress.TryParse(value, out _))
        {
            return true;
        }

        if (IPEndPoint.TryParse(value, out var endpoint))
        {
            host = endpoint.Address.ToString();
            port = endpoint.Port;
            return port > 0;
        }

        var colon = value.LastIndexOf(':');
        if (colon > 0)
        {
            host = value[..colon];
            if (!int.TryParse(value[(colon + 1)..], out port) || port is <= 0 or > 65535)
            {
                return false;
            }
        }

        return Uri.CheckHostName(host) == UriHostNameType.Dns;
    }
}
