using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.Webhooks;

/// <summary>
/// Endpoint signing secrets: made here (32 random bytes), shown once, kept only in a
/// <see cref="SealedBox"/> (a copy of the database alone cannot forge events); the endpoint's id
/// is the associated data, so a sealed secret moved to another row does not open.
/// </summary>
public sealed class WebhookSecrets(IOptions<BodyEncryptionOptions> options)
{
    public const string Prefix = "whsec_";

    private readonly SealedBox _box = new(options.Value, "salesmind.notifier.webhook-secret.v1");

    public static string Generate() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public byte[] Seal(Guid endpointId, string secret) => _box.Seal(endpointId, Encoding.UTF8.GetBytes(secret));

    /// <summary>The secret; throws <see cref="CryptographicException"/> if the key changed or the bytes were altered.</summary>
    public string Open(Guid endpointId, byte[] sealedSecret) => Encoding.UTF8.GetString(_box.Open(endpointId, sealedSecret, "secret"));
}
