using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SalesMind.Notifier.Webhooks;

/// <summary>What a signature check found.</summary>
public enum WebhookSignatureCheck
{
    Valid,

    /// <summary>No header, or not <c>t=…,v1=…</c>.</summary>
    Malformed,

    /// <summary>The timestamp is further from now than the tolerance: a replay, or a clock far off.</summary>
    Expired,

    /// <summary>No <c>v1</c> matches: another secret, or an altered body or timestamp.</summary>
    Mismatch,
}

/// <summary>
/// The <c>SalesMind-Signature</c> header: <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "&lt;t&gt;.&lt;body&gt;")&gt;</c>.
/// The timestamp is signed with the body, so an old request replayed later fails the time check
/// and a request with a new timestamp fails the HMAC. The key is the secret as shown (UTF-8,
/// <c>whsec_</c> included).
/// </summary>
public static class WebhookSignature
{
    public const string Header = "SalesMind-Signature";

    /// <summary>How far a receiver should let the timestamp be from its own clock.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    public static string Sign(string secret, DateTimeOffset at, string body)
    {
        var t = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"t={t},v1={Convert.ToHexStringLower(Mac(secret, t, body))}";
    }

    public static WebhookSignatureCheck Verify(string? header, string secret, string body, DateTimeOffset now, TimeSpan tolerance)
    {
        string? t = null;
        var candidates = new List<byte[]>();
        foreach (var part in (header ?? "").Split(',', StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }

            var (key, value) = (part[..eq], part[(eq + 1)..]);
            if (key == "t")
            {
                t = value;
            }
            else if (key == "v1" && value.Length == 64 && value.All(Uri.IsHexDigit))
            {
                candidates.Add(Convert.FromHexString(value));
            }
        }

        if (t is null || candidates.Count == 0 || t.Length > 12
            || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return WebhookSignatureCheck.Malformed;
        }

        if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > tolerance)
        {
            return WebhookSignatureCheck.Expired;
        }

        var expected = Mac(secret, t, body);
        // Compare in constant time: the MAC is derived from a secret.
        var match = false;
        foreach (var candidate in candidates)
        {
            match |= CryptographicOperations.FixedTimeEquals(candidate, expected);
        }

        return match ? WebhookSignatureCheck.Valid : WebhookSignatureCheck.Mismatch;
    }

    private static byte[] Mac(string secret, string t, string body) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{body}"));
}
