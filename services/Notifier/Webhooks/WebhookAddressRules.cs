using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SalesMind.Notifier.Webhooks;

/// <summary>
/// Which URLs and addresses a webhook may be sent to. A webhook is a request the Notifier makes
/// from inside the network on an admin's say-so, so without these rules a stolen admin token
/// could make it call the database, the broker's management API or a cloud metadata service (SSRF).
/// The same rules are applied when an endpoint is registered and again to the address each
/// connection actually goes to (a name may resolve elsewhere later: DNS rebinding).
/// </summary>
public static class WebhookAddressRules
{
    private static readonly (IPNetwork Network, string Kind)[] Refused =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "\"this network\""),
        (IPNetwork.Parse("10.0.0.0/8"), "private"),
        (IPNetwork.Parse("100.64.0.0/10"), "shared (carrier-grade NAT)"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local (cloud metadata)"),
        (IPNetwork.Parse("172.16.0.0/12"), "private"),
        (IPNetwork.Parse("192.0.0.0/24"), "reserved"),
        (IPNetwork.Parse("192.168.0.0/16"), "private"),
        (IPNetwork.Parse("198.18.0.0/15"), "reserved (benchmarking)"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved"),
        (IPNetwork.Parse("::/128"), "unspecified"),
        (IPNetwork.Parse("::1/128"), "loopback"),
        (IPNetwork.Parse("::/96"), "IPv4-compatible (deprecated)"),
        (IPNetwork.Parse("fc00::/7"), "unique-local (private)"),
        (IPNetwork.Parse("fe80::/10"), "link-local"),
        (IPNetwork.Parse("fec0::/10"), "site-local (deprecated)"),
        (IPNetwork.Parse("ff00::/8"), "multicast"),
    ];

    // IPv6 forms that carry an IPv4 address a packet may end up at: NAT64 and 6to4.
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    /// <summary>
    /// Why <paramref name="address"/> may not be sent to (e.g. "loopback"), or null when it may:
    /// public, or inside one of <paramref name="allowed"/>.
    /// </summary>
    public static string? Refusal(IPAddress address, IReadOnlyList<IPNetwork> allowed)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            address = new IPAddress(address.GetAddressBytes()); // drops a scope id (fe80::1%eth0)
        }

        if (allowed.Any(n => n.BaseAddress.AddressFamily == address.AddressFamily && n.Contains(address)))
        {
            return null;
        }

        foreach (var (network, kind) in Refused)
        {
            if (network.BaseAddress.AddressFamily == address.AddressFamily && network.Contains(address))
            {
                return kind;
            }
        }

        if (address.Equals(IPAddress.Broadcast))
        {
            return "broadcast";
        }

        if (Nat64.Contains(address) || SixToFour.Contains(address))
        {
            var bytes = address.GetAddressBytes();
            var embedded = Nat64.Contains(address) ? new IPAddress(bytes.AsSpan(12, 4)) : new IPAddress(bytes.AsSpan(2, 4));
            return Refusal(embedded, allowed) is { } inner ? $"{inner} (inside {address})" : null;
        }

        return null;
    }

    /// <summary>
    /// Checks an endpoint URL's form: absolute, https (or http when <paramref name="allowHttp"/>),
    /// no user name or password, a host, no fragment. Returns the problem as a sentence, or null.
    /// </summary>
    public static string? CheckUrl(string? url, bool allowHttp, out Uri? uri)
    {
        uri = null;
        var text = url?.Trim() ?? "";
        if (text.Length is 0 or > 2048 || text.Any(char.IsControl) || text.Any(char.IsWhiteSpace))
        {
            return "url is required: an absolute https URL of at most 2048 characters, e.g. https://hooks.example.com/salesmind.";
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp))
        {
            return "url must be an absolute https URL, e.g. https://hooks.example.com/salesmind.";
        }

        if (parsed.Scheme == Uri.UriSchemeHttp && !allowHttp)
        {
            return "url must use https: events carry recipients' addresses (http is allowed only where Webhooks:AllowHttp is true).";
        }

        if (parsed.UserInfo.Length > 0 || AuthorityOf(text).Contains('@'))
        {
            return "url must not carry a user name or password: the signature is how the receiver knows the sender.";
        }

        if (parsed.Fragment.Length > 0)
        {
            return "url must not have a #fragment.";
        }

        if (string.IsNullOrEmpty(HostOf(parsed)))
        {
            return "url must name a host.";
        }

        uri = parsed;
        return null;
    }

    /// <summary>The text between <c>://</c> and the path, as written (before any parser's repairs).</summary>
    private static string AuthorityOf(string url)
    {
        var start = url.IndexOf("://", StringComparison.Ordinal) + 3;
        var end = url.IndexOfAny(['/', '?', '#', '\\'], start);
        return end < 0 ? url[start..] : url[start..end];
    }

    /// <summary>The host as it is looked up: no brackets, no trailing dot, lower case.</summary>
    public static string HostOf(Uri uri) => uri.IdnHost.TrimEnd('.').ToLowerInvariant();

    /// <summary>
    /// The address <paramref name="host"/> names by itself, in any form a resolver would accept:
    /// IPv6 (with or without brackets), dotted IPv4, and the older forms inet_aton reads
    /// (<c>2130706433</c>, <c>0x7f.1</c>, <c>0177.0.0.1</c>, <c>127.1</c>); null for a name.
    /// </summary>
    public static IPAddress? LiteralAddress(string host)
    {
        var h = host.Trim().TrimEnd('.');
        if (h.StartsWith('[') && h.EndsWith(']'))
        {
            h = h[1..^1];
        }

        if (h.Contains(':'))
        {
            return IPAddress.TryParse(h, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 ? v6 : null;
        }

        return TryParseLooseIPv4(h, out var v4) ? v4 : null;
    }

    /// <summary>IPv4 as inet_aton reads it: 1 to 4 parts, each decimal, octal (leading 0) or hex (0x); the last part fills the remaining bytes.</summary>
    public static bool TryParseLooseIPv4(string text, out IPAddress address)
    {
        address = IPAddress.None;
        var parts = text.Split('.');
        if (parts.Length is < 1 or > 4)
        {
            return false;
        }

        var values = new ulong[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!TryParsePart(parts[i], out values[i]))
            {
                return false;
            }
        }

        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (values[i] > 255)
            {
                return false;
            }
        }

        var lastBytes = 4 - (parts.Length - 1);
        if (values[^1] >= 1UL << (8 * lastBytes))
        {
            return false;
        }

        ulong value = 0;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            value |= values[i] << (8 * (3 - i));
        }

        value |= values[^1];
        address = new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
        return true;
    }

    private static bool TryParsePart(string part, out ulong value)
    {
        value = 0;
        if (part.Length is 0 or > 34)
        {
            return false;
        }

        if (part.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            var hex = part[2..];
            return hex.Length == 0 || (hex.Length <= 16 && ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value));
        }

        if (part.Length > 1 && part[0] == '0')
        {
            if (part.Any(c => c is < '0' or > '7') || part.Length > 21)
            {
                return false;
            }

            foreach (var c in part)
            {
                value = (value * 8) + (ulong)(c - '0');
            }

            return true;
        }

        return part.All(char.IsAsciiDigit) && ulong.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
