using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.Webhooks;

/// <summary>
/// Endpoint signing secrets: made here (32 random bytes), shown once, kept only AES-GCM sealed
/// under a sub-key of <c>Notifier:BodyEncryptionKey</c>, so a copy of the database alone cannot
/// forge events. The endpoint's id is the associated data: a sealed secret moved to another row does not open.
/// Layout: version (1) | nonce (12) | tag (16) | ciphertext.
/// </summary>
public sealed class WebhookSecrets
{
    public const string Prefix = "whsec_";

    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _key;

    public WebhookSecrets(IOptions<BodyEncryptionOptions> options)
    {
        var secret = Convert.FromBase64String(options.Value.BodyEncryptionKey);
        // A key of its own for this use, whatever else the configured secret is used for.
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, info: Encoding.UTF8.GetBytes("salesmind.notifier.webhook-secret.v1"));
    }

    public static string Generate() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public byte[] Seal(Guid endpointId, string secret)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var sealedSecret = new byte[1 + NonceSize + TagSize + plain.Length];
        sealedSecret[0] = Version;
        var nonce = sealedSecret.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, sealedSecret.AsSpan(1 + NonceSize + TagSize), sealedSecret.AsSpan(1 + NonceSize, TagSize), endpointId.ToByteArray());
        CryptographicOperations.ZeroMemory(plain);
        return sealedSecret;
    }

    /// <summary>The secret; throws <see cref="CryptographicException"/> if the key changed or the bytes were altered.</summary>
    public string Open(Guid endpointId, byte[] sealedSecret)
    {
        if (sealedSecret.Length < 1 + NonceSize + TagSize || sealedSecret[0] != Version)
        {
            throw new CryptographicException("The sealed secret has an unknown format.");
        }

        var plain = new byte[sealedSecret.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(sealedSecret.AsSpan(1, NonceSize), sealedSecret.AsSpan(1 + NonceSize + TagSize), sealedSecret.AsSpan(1 + NonceSize, TagSize), plain, endpointId.ToByteArray());
        return Encoding.UTF8.GetString(plain);
    }
}
