using System.Text.RegularExpressions;

namespace SalesMind.Outbox;

/// <summary>
/// Removes live account links' secrets from text that operators, logs or backups see: every
/// <c>token=…</c> (or <c>code=…</c>) query value becomes <c>[redacted]</c>. Works on URLs, HTML
/// (<c>&amp;amp;token=</c>) and JSON (<c>\u0026token=</c>); redacting twice changes nothing. A
/// JSON string field named like a code (<c>"verificationCode": "123456"</c>, a one-time code
/// mailed beside a link) is redacted as well.
/// </summary>
public static partial class SecretRedaction
{
    public const string Marker = "[redacted]";

    /// <summary>
    /// Replaces every secret query value in <paramref name="text"/>. A false positive costs an
    /// unreadable value in a listing; a miss leaks a working link: so it matches broadly.
    /// </summary>
    public static string Redact(string text) => CodeField().Replace(SecretQueryValue().Replace(text, Marker), Marker);

    public static string? RedactOrNull(string? text) => text is null ? null : Redact(text);

    /// <summary>True when <paramref name="text"/> carries a secret that <see cref="Redact"/> removed (or would remove).</summary>
    public static bool HasRedactedSecret(string text) => text.Contains("=" + Marker, StringComparison.Ordinal);

    /// <summary>
    /// A link whose whole point is a secret (a verification or reset link), made safe to show:
    /// its secret query values are redacted; a link of an unknown shape keeps only its origin.
    /// </summary>
    public static string RedactLink(string url)
    {
        if (url.Length == 0)
        {
            return url;
        }

        var redacted = Redact(url);
        if (!string.Equals(redacted, url, StringComparison.Ordinal))
        {
            return redacted;
        }

        return Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.GetLeftPart(UriPartial.Authority)}/{Marker}" : Marker;
    }

    // After '?', '&', '#', ';' (the end of "&amp;") or JSON's "\u0026": a name ending in "token", or "code".
    [GeneratedRegex(@"(?<=(?:[?&#;]|\\u0026)(?:[a-z_]*token|code)=)[^&#\s""'<>\\]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretQueryValue();

    // A JSON string field whose name ends in "code" ("verificationCode", "code"): an event's one-time code.
    [GeneratedRegex(@"(?<=""[a-z_]*code""\s*:\s*"")[^""\\]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CodeField();
}
