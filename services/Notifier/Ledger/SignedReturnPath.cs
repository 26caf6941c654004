using System.Security.Cryptography;
using System.Text;

namespace SalesMind.Notifier.Ledger;

/// <summary>What a return path (a report's RCPT TO address) says about the delivery it names.</summary>
public enum ReturnPathCheck
{
    /// <summary>Ours, and signed with our key: it names <c>DeliveryId</c>.</summary>
    Signed,

    /// <summary>At the bounce domain but with no signature (the plain <c>bounces@</c> address, or an old unsigned path).</summary>
    Unsigned,

    /// <summary>Shaped like ours, but the signature is not ours.</summary>
    BadSignature,

    /// <summary>Not at the bounce domain.</summary>
    NotOurs,
}

/// <summary>
/// The return path of every email, <c>bounces+&lt;delivery id&gt;.&lt;signature&gt;@&lt;Bounces:Domain&gt;</c>
/// (VERP signed as BATV/PRVS do): the signature is the first 80 bits of HMAC-SHA256 of the
/// delivery id under <c>Bounces:SigningKey</c>, in lower-case base32. Only whoever holds the key
/// (or received that very email) can name a delivery in a report's address, so a report sent
/// anywhere else changes nothing.
/// </summary>
public static class SignedReturnPath
{
    public const string Prefix = "bounces+";

    /// <summary>80 bits: guessing one signature takes ~2^79 reports; base32 keeps it 16 characters.</summary>
    private const int SignatureBytes = 10;

    /// <summary>RFC 4648's alphabet in lower case: some servers lower-case local parts, so the signature must survive it.</summary>
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string For(Guid deliveryId, string key, string domain) => $"{Prefix}{deliveryId:N}.{Sign(deliveryId, key)}@{domain}";

    /// <summary>Checks <paramref name="address"/>; <paramref name="deliveryId"/> is set only when it is <see cref="ReturnPathCheck.Signed"/>.</summary>
    public static ReturnPathCheck Check(string address, string key, string domain, out Guid deliveryId)
    {
        deliveryId = Guid.Empty;
        var at = address.LastIndexOf('@');
        if (at < 0 || !string.Equals(address[(at + 1)..], domain, StringComparison.OrdinalIgnoreCase))
        {
            return ReturnPathCheck.NotOurs;
        }

        // Case-insensitive throughout: a relay may have lower- or upper-cased the local part.
        var local = address[..at].ToLowerInvariant();
        if (!local.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return ReturnPathCheck.Unsigned;
        }

        var tag = local[Prefix.Length..];
        var dot = tag.IndexOf('.');
        if (dot < 0)
        {
            return ReturnPathCheck.Unsigned;
        }

        if (!Guid.TryParseExact(tag[..dot], "N", out var id))
        {
            return ReturnPathCheck.BadSignature;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(id, key));
        var given = Encoding.ASCII.GetBytes(tag[(dot + 1)..]);
        // Compare in constant time: the signature is a secret for every delivery but the one it names.
        if (!CryptographicOperations.FixedTimeEquals(expected, given))
        {
            return ReturnPathCheck.BadSignature;
        }

        deliveryId = id;
        return ReturnPathCheck.Signed;
    }

    internal static string Sign(Guid deliveryId, string key)
    {
        // A label keeps these signatures apart from any other use of the same key.
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes($"salesmind-return-path:{deliveryId:N}"));
        return Base32(mac.AsSpan(0, SignatureBytes));
    }

    private static string Base32(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder((bytes.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            text.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        }

        return text.ToString();
    }
}
