using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace SalesMind.Notifier.Ledger;

/// <summary>
/// What an erased address becomes: a keyed hash (HMAC-SHA-256) of the lower-case address, shaped
/// like an address of the reserved <c>.invalid</c> domain so every column and search that expects
/// one still works. The same address always gives the same pseudonym, so counts per recipient and
/// suppressions still hold; without the key nobody can test a guessed address against it (a plain
/// hash of an address is reversed by hashing a list of addresses).
/// </summary>
public sealed class RecipientPseudonym
{
    public const string Domain = "erased.invalid";

    private const string Prefix = "erased-";

    private readonly byte[] _key;

    public RecipientPseudonym(IOptions<BodyEncryptionOptions> options)
    {
        // A sub-key of the body key for this one use (HKDF with its own label): no second secret
        // to configure, and neither use can stand in for the other.
        var secret = Convert.FromBase64String(options.Value.BodyEncryptionKey);
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, info: Encoding.UTF8.GetBytes("salesmind.notifier.recipient-pseudonym.v1"));
    }

    /// <summary><c>erased-&lt;64 hex&gt;@erased.invalid</c> for <paramref name="address"/> (any case).</summary>
    public string Of(string address)
    {
        var mac = HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(address.Trim().ToLowerInvariant()));
        return $"{Prefix}{Convert.ToHexStringLower(mac)}@{Domain}";
    }

    /// <summary>Whether <paramref name="address"/> is already a pseudonym (nothing left to erase).</summary>
    public static bool IsPseudonym(string address) =>
        address.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && address.EndsWith("@" + Domain, StringComparison.OrdinalIgnoreCase);
}
