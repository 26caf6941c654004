using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace SalesMind.Identity.Verification;

/// <summary>Single-use secrets for emailed links: 256 random bits, only their SHA-256 stored.</summary>
public static class VerificationToken
{
    /// <summary>Base64url of 32 bytes.</summary>
    public const int Length = 43;

    public static (string Token, byte[] Hash) Create()
    {
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (token, Hash(token));
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.ASCII.GetBytes(token));

    /// <summary>Rejects anything that cannot be one of our tokens before it touches the database.</summary>
    public static bool IsWellFormed(string? token) =>
        token is { Length: Length } && Base64Url.IsValid(token, out var decoded) && decoded == 32;
}
