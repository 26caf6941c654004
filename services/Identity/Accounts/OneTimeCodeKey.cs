using System.Security.Cryptography;
using System.Text;

namespace SalesMind.Identity.Accounts;

/// <summary>
/// The HMAC key of <see cref="Security.OneTimeCode"/>: a sub-key (HKDF-SHA256, its own label) of the
/// admin-token private key, the one secret Identity already holds, so there is no second secret to
/// configure and rotate. Rotating that key makes the codes mailed before it fail (they live 24 h).
/// </summary>
public sealed class OneTimeCodeKey
{
    private static readonly byte[] Label = Encoding.UTF8.GetBytes("salesmind one-time codes");

    private OneTimeCodeKey(byte[] bytes) => Bytes = bytes;

    internal byte[] Bytes { get; }

    /// <summary>The key derived from <paramref name="secret"/> (at least 32 bytes of key material).</summary>
    public static OneTimeCodeKey Derive(ReadOnlySpan<byte> secret)
    {
        if (secret.Length < 32)
        {
            throw new ArgumentException("The one-time code key needs at least 32 bytes of secret.", nameof(secret));
        }

        var key = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, key, salt: [], info: Label);
        return new(key);
    }

    /// <summary>The key derived from the private scalar of <paramref name="signingKey"/>, whatever PEM form it was read from.</summary>
    public static OneTimeCodeKey Derive(ECDsa signingKey)
    {
        var d = signingKey.ExportParameters(includePrivateParameters: true).D
            ?? throw new ArgumentException("The key has no private part.", nameof(signingKey));
        try
        {
            return Derive(d);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }
    }
}
