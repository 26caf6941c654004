using System.Security.Cryptography;
using System.Text;

namespace SalesMind.Notifier.Ledger;

/// <summary>
/// AES-GCM under a key of its own derived (HKDF) from <c>Notifier:BodyEncryptionKey</c>, a key
/// kept outside the database: a copy of the database alone opens nothing. The row's id is the
/// associated data, so sealed bytes moved to another row do not open.
/// Layout: version (1) | nonce (12) | tag (16) | ciphertext.
/// </summary>
public sealed class SealedBox
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _key;

    /// <param name="use">Names the use (e.g. <c>salesmind.notifier.delivery-body.v1</c>): each use gets a key of its own.</param>
    public SealedBox(BodyEncryptionOptions options, string use)
    {
        var secret = Convert.FromBase64String(options.BodyEncryptionKey);
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, info: Encoding.UTF8.GetBytes(use));
    }

    /// <summary>Seals <paramref name="plain"/> (and clears it) for the row <paramref name="rowId"/>.</summary>
    public byte[] Seal(Guid rowId, byte[] plain)
    {
        var sealedBytes = new byte[1 + NonceSize + TagSize + plain.Length];
        sealedBytes[0] = Version;
        var nonce = sealedBytes.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(1 + NonceSize + TagSize), sealedBytes.AsSpan(1 + NonceSize, TagSize), rowId.ToByteArray());
        CryptographicOperations.ZeroMemory(plain);
        return sealedBytes;
    }

    /// <summary>The plain bytes; throws <see cref="CryptographicException"/> if the key changed or the bytes were altered.</summary>
    public byte[] Open(Guid rowId, byte[] sealedBytes, string what)
    {
        if (sealedBytes.Length < 1 + NonceSize + TagSize || sealedBytes[0] != Version)
        {
            throw new CryptographicException($"The sealed {what} has an unknown format.");
        }

        var plain = new byte[sealedBytes.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(sealedBytes.AsSpan(1, NonceSize), sealedBytes.AsSpan(1 + NonceSize + TagSize), sealedBytes.AsSpan(1 + NonceSize, TagSize), plain, rowId.ToByteArray());
        return plain;
    }
}
