using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace SalesMind.Identity.Security;

/// <summary>
/// The one kind of secret this service hands out in links and cookies (verification and reset
/// links, sessions, device cookies, mail receipts): 256 random bits as base64url; only the
/// SHA-256 is stored, so a copy of the database holds no usable token.
/// </summary>
public static class OpaqueToken
{
    /// <summary>Base64url of 32 bytes.</summary>
    public const int Length = 43;

    private const int Bytes = 32;

    /// <summary>A new token and the hash to store for it.</summary>
    public static (string Token, byte[] Hash) Create()
    {
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(Bytes));
        return (token, Hash(token));
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.ASCII.GetBytes(token));

    /// <summary>Rejects anything that cannot be one of our tokens before it touches the database.</summary>
    public static bool IsWellFormed(string? token) =>
        token is { Length: Length } && Base64Url.IsValid(token, out var decoded) && decoded == Bytes;

    /// <summary>Whether two stored hashes are equal; in constant time, as the token is a secret.</summary>
    public static bool Matches(byte[] storedHash, byte[] hash) => CryptographicOperations.FixedTimeEquals(storedHash, hash);
}
