using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
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
/// Seals and opens the live rendering of an email (the one with a working link) in a
/// <see cref="SealedBox"/>; the delivery's id is the associated data.
/// </summary>
public sealed class BodySealer(IOptions<BodyEncryptionOptions> options)
{
    private readonly SealedBox _box = new(options.Value, "salesmind.notifier.delivery-body.v1");

    public byte[] Seal(Guid deliveryId, RenderedEmail email) => _box.Seal(deliveryId, JsonSerializer.SerializeToUtf8Bytes(email));

    /// <summary>The live rendering; throws <see cref="CryptographicException"/> if the key changed or the bytes were altered.</summary>
    public RenderedEmail Open(Guid deliveryId, byte[] sealedBody) =>
        JsonSerializer.Deserialize<RenderedEmail>(_box.Open(deliveryId, sealedBody, "body")) ?? throw new CryptographicException("The sealed body is empty.");
}
