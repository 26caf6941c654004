using System.Security.Cryptography;
using System.Text;

namespace SalesMind.Identity.Security;

/// <summary>
/// The 6-digit code mailed beside a link (verification, address change), for a person who reads
/// mail on a phone and finishes on another device. It is random, stored only as an HMAC keyed
/// with its row's id (so equal codes of two rows never share a hash), dies with its link, and
/// allows a few wrong tries (<c>Identity:MaxCodeAttempts</c>): a million codes cannot be walked.
/// </summary>
public static class OneTimeCode
{
    public const int Digits = 6;

    /// <summary>A new code for the row <paramref name="rowId"/>, and the hash to store for it.</summary>
    public static (string Code, byte[] Hash) Create(Guid rowId)
    {
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        return (code, Hash(rowId, code));
    }

    public static byte[] Hash(Guid rowId, string code) =>
        HMACSHA256.HashData(rowId.ToByteArray(), Encoding.ASCII.GetBytes(code));

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
    public static bool Matches(byte[] storedHash, Guid rowId, string code) =>
        CryptographicOperations.FixedTimeEquals(storedHash, Hash(rowId, code));
}
