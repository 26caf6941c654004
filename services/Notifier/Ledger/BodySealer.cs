using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Ledger;

/// <summary>The key that seals the live copy of an email carrying an account link (section <c>Notifier</c>).</summary>
public sealed class BodyEncryptionOptions
{
    public const string Section = "Notifier";

    /// <summary>
    /// Base64 of at least 32 random bytes (<c>openssl rand -base64 32</c>). Kept outside the
    /// database on purpose: a copy of the database (a backup) alone cannot open a sealed email.
    /// </summary>
    [Required(ErrorMessage = "Notifier:BodyEncryptionKey is required: base64 of at least 32 random bytes (openssl rand -base64 32).")]
    public string BodyEncryptionKey { get; set; } = "";

    internal static bool IsValidKey(string? key)
    {
        var bytes = new byte[Math.Max(0, (key?.Length ?? 0) * 3 / 4 + 3)];
        return key is not null && Convert.TryFromBase64String(key, bytes, out var written) && written >= 32;
    }
}

/// <summary>
/// Seals and opens the live rendering of an email (the one with a working link) with AES-GCM.
/// The delivery's id is the associated data, so a sealed body moved to another row does not open.
/// Layout: version (1) | nonce (12) | tag (16) | ciphertext.
/// </summary>
public sealed class BodySealer
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _key;

    public BodySealer(IOptions<BodyEncryptionOptions> options)
    {
        var secret = Convert.FromBase64String(options.Value.BodyEncryptionKey);
        // A key of its own for this use, whatever else the configured secret might be used for.
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, info: Encoding.UTF8.GetBytes("salesmind.notifier.delivery-body.v1"));
    }

    public byte[] Seal(Guid deliveryId, RenderedEmail email)
    {
        var plain = JsonSerializer.SerializeToUtf8Bytes(email);
        var sealedBody = new byte[1 + NonceSize + TagSize + plain.Length];
        sealedBody[0] = Version;
        var nonce = sealedBody.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, sealedBody.AsSpan(1 + NonceSize + TagSize), sealedBody.AsSpan(1 + NonceSize, TagSize), deliveryId.ToByteArray());
        CryptographicOperations.ZeroMemory(plain);
        return sealedBody;
    }

    /// <summary>The live rendering; throws <see cref="CryptographicException"/> if the key changed or the bytes were altered.</summary>
    public RenderedEmail Open(Guid deliveryId, byte[] sealedBody)
    {
        if (sealedBody.Length < 1 + NonceSize + TagSize || sealedBody[0] != Version)
        {
            throw new CryptographicException("The sealed body has an unknown format.");
        }

        var plain = new byte[sealedBody.Length - 1 - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(sealedBody.AsSpan(1, NonceSize), sealedBody.AsSpan(1 + NonceSize + TagSize), sealedBody.AsSpan(1 + NonceSize, TagSize), plain, deliveryId.ToByteArray());
        return JsonSerializer.Deserialize<RenderedEmail>(plain) ?? throw new CryptographicException("The sealed body is empty.");
    }
}
