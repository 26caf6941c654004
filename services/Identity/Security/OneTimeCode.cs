using System.Security.Cryptography;
using System.Text;
using SalesMind.Identity.Accounts;

namespace SalesMind.Identity.Security;

/// <summary>
/// The 6-digit code mailed beside a link (verification, address change), for a person who reads
/// mail on a phone and finishes on another device. It is random, stored only as
/// HMAC(<see cref="OneTimeCodeKey"/>, row id ‖ code), dies with its link, and allows a few wrong
/// tries (<c>Identity:MaxCodeAttempts</c>): a million codes cannot be walked online. The key is
/// the server's secret, never stored beside the hash, so a copy of the database (or a backup)
/// alone cannot walk them offline either; the row id keeps equal codes of two rows apart.
/// </summary>
public static class OneTimeCode
{
    public const int Digits = 6;

    /// <summary>A new code for the row <paramref name="rowId"/>, and the hash to store for it.</summary>
    public static (string Code, byte[] Hash) Create(OneTimeCodeKey key, Guid rowId)
    {
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        return (code, Hash(key, rowId, code));
    }

    public static byte[] Hash(OneTimeCodeKey key, Guid rowId, string code)
    {
        // The id has a fixed length (16 bytes), so id ‖ code is never ambiguous.
        Span<byte> message = stackalloc byte[16 + Encoding.ASCII.GetMaxByteCount(code.Length)];
        rowId.TryWriteBytes(message);
        var length = 16 + Encoding.ASCII.GetBytes(code, message[16..]);
        return HMACSHA256.HashData(key.Bytes, message[..length]);
    }

    /// <summary>
    /// The code as typed, in its canonical form, or null when it cannot be one: full-width digits
    /// (a Japanese keyboard) become ASCII, and spaces and hyphens between digits are dropped.
    /// </summary>
    public static string? Normalize(string? typed)
    {
        if (typed is null || typed.Length > 32)
        {
            return null;
        }

        var builder = new StringBuilder(Digits);
        foreach (var c in typed.Normalize(NormalizationForm.FormKC))
        {
            if (c is >= '0' and <= '9')
            {
                builder.Append(c);
            }
            else if (c is not (' ' or '-' or '\t'))
            {
                return null;
            }
        }

        return builder.Length == Digits ? builder.ToString() : null;
    }

    /// <summary>Whether <paramref name="code"/> is the one stored as <paramref name="storedHash"/>; in constant time.</summary>
    public static bool Matches(OneTimeCodeKey key, byte[] storedHash, Guid rowId, string code) =>
        CryptographicOperations.FixedTimeEquals(storedHash, Hash(key, rowId, code));
}
