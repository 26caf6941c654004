using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace SalesMind.Notifier.DomainHealth;

/// <summary>A DKIM selector the mail server uses or is rotating to/from, and its public key when known.</summary>
public sealed record DkimKey(string Selector, byte[]? PublicKey, bool Signing, string? Source, string? Problem = null);

/// <summary>Reads the mail server's DKIM public keys (<c>DomainHealth:DkimPublicKeyPath</c>) and compares them with published records.</summary>
public static partial class DkimKeys
{
    public const string SigningSelectorFile = "signing-selector";

    /// <summary>
    /// The selectors to check: from a file, the one <c>DkimSelector</c>; from a directory, each
    /// <c>&lt;selector&gt;.pem</c> / <c>&lt;selector&gt;.txt</c> in it, the signing one named by its
    /// <c>signing-selector</c> file or else by <c>DkimSelector</c>.
    /// </summary>
    public static IReadOnlyList<DkimKey> Load(SenderDomainOptions options)
    {
        var path = options.DkimPublicKeyPath;
        if (string.IsNullOrWhiteSpace(path))
        {
            return [new DkimKey(options.DkimSelector, null, true, null)];
        }

        if (Directory.Exists(path))
        {
            var signing = options.DkimSelector;
            var marker = Path.Combine(path, SigningSelectorFile);
            if (File.Exists(marker) && File.ReadAllText(marker).Trim() is { Length: > 0 } named && SelectorName().IsMatch(named))
            {
                signing = named;
            }

            var keys = Directory.EnumerateFiles(path)
                .Where(f => f.EndsWith(".pem", StringComparison.Ordinal) || f.EndsWith(".txt", StringComparison.Ordinal))
                .Select(f => (Selector: Path.GetFileNameWithoutExtension(f), File: f))
                .Where(f => SelectorName().IsMatch(f.Selector))
                .GroupBy(f => f.Selector, StringComparer.OrdinalIgnoreCase)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => FromFile(g.Key, g.First().File, string.Equals(g.Key, signing, StringComparison.OrdinalIgnoreCase)))
                .ToList();
            if (!keys.Any(k => k.Signing))
            {
                keys.Insert(0, new DkimKey(signing, null, true, null, $"no key file for the signing selector {signing} in {path}"));
            }

            return [.. keys.OrderByDescending(k => k.Signing)];
        }

        return [FromFile(options.DkimSelector, path, true)];
    }

    private static DkimKey FromFile(string selector, string file, bool signing)
    {
        try
        {
            return ParseKeyFile(File.ReadAllText(file)) is { } key
                ? new DkimKey(selector, key, signing, file)
                : new DkimKey(selector, null, signing, file, $"{file} holds no public key (a PEM PUBLIC KEY or a record with p=)");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new DkimKey(selector, null, signing, file, $"{file} cannot be read: {e.Message}");
        }
        catch (InvalidKeyFileException e)
        {
            return new DkimKey(selector, null, signing, file, $"{file}: {e.Message}");
        }
    }

    public sealed class InvalidKeyFileException(string message) : Exception(message);

    /// <summary>
    /// The public key in a PEM file (<c>PUBLIC KEY</c> or <c>RSA PUBLIC KEY</c>) or in a DKIM
    /// record file (opendkim-genkey's zone-file lines, quoted strings joined), normalised with
    /// <see cref="Normalize"/>. A private key is refused: the Notifier is given the public half only.
    /// </summary>
    public static byte[]? ParseKeyFile(string text)
    {
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            if (text.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            {
                throw new InvalidKeyFileException("is a private key: give the Notifier the public half only (openssl rsa -in KEY -pubout)");
            }

            using var rsa = RSA.Create();
            try
            {
                rsa.ImportFromPem(text);
            }
            catch (ArgumentException e)
            {
                throw new InvalidKeyFileException($"no RSA public key in this PEM ({e.Message})");
            }

            return rsa.ExportSubjectPublicKeyInfo();
        }

        var quoted = Quoted().Matches(text);
        var record = quoted.Count > 0 ? string.Concat(quoted.Select(m => m.Groups[1].Value)) : text;
        return Tags(record).TryGetValue("p", out var p) && p.Length > 0 ? Normalize(p) : null;
    }

    /// <summary>A DKIM record's tags (<c>tag=value; …</c>), names lower-cased, whitespace inside values removed (RFC 6376 §3.2).</summary>
    public static Dictionary<string, string> Tags(string record)
    {
        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in record.Split(';'))
        {
            var eq = part.IndexOf('=');
            if (eq > 0)
            {
                tags.TryAdd(part[..eq].Trim().ToLowerInvariant(), Whitespace().Replace(part[(eq + 1)..], ""));
            }
        }

        return tags;
    }

    /// <summary>
    /// The bytes to compare of a base64 key: an RSA key in any of its encodings (SubjectPublicKeyInfo,
    /// as DKIM publishes it, or PKCS#1) as SubjectPublicKeyInfo; anything else (ed25519) as is.
    /// Null when it is not base64.
    /// </summary>
    public static byte[]? Normalize(string base64)
    {
        byte[] raw;
        try
        {
            raw = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return null;
        }

        using var rsa = RSA.Create();
        try
        {
            rsa.ImportSubjectPublicKeyInfo(raw, out _);
            return rsa.ExportSubjectPublicKeyInfo();
        }
        catch (CryptographicException)
        {
        }

        try
        {
            rsa.ImportRSAPublicKey(raw, out _);
            return rsa.ExportSubjectPublicKeyInfo();
        }
        catch (CryptographicException)
        {
            return raw;
        }
    }

    /// <summary>A short fingerprint for messages: the first 16 hex digits of the key's SHA-256.</summary>
    public static string Fingerprint(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key))[..16];

    [GeneratedRegex("\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$")]
    private static partial Regex SelectorName();
}
