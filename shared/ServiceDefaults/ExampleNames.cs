namespace SalesMind.ServiceDefaults;

/// <summary>What a public-name setting holds, and so where its host name is.</summary>
public enum PublicNameKind
{
    /// <summary>An absolute URL (<c>https://app.example.com</c>): its host.</summary>
    Url,

    /// <summary>An email address (<c>no-reply@example.com</c>): its domain.</summary>
    EmailAddress,

    /// <summary>A bare domain name (<c>bounces.example.com</c>).</summary>
    Domain,
}

/// <summary>A setting (configuration key) that names something the world sees: the site, a sender, a mail domain.</summary>
public sealed record PublicName(string Key, PublicNameKind Kind)
{
    public static PublicName Url(string key) => new(key, PublicNameKind.Url);

    public static PublicName EmailAddress(string key) => new(key, PublicNameKind.EmailAddress);

    public static PublicName Domain(string key) => new(key, PublicNameKind.Domain);

    /// <summary>The host name in <paramref name="value"/>, lower case without a trailing dot; null when there is none to check.</summary>
    public string? HostOf(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var host = Kind switch
        {
            PublicNameKind.Url => Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) ? uri.Host : null,
            PublicNameKind.EmailAddress => value.LastIndexOf('@') is var at and >= 0 ? value[(at + 1)..] : null,
            _ => value,
        };
        return host?.Trim().TrimEnd('.').ToLowerInvariant() is { Length: > 0 } name ? name : null;
    }
}

/// <summary>
/// The names reserved for documentation (RFC 2606, RFC 6761): <c>example.com</c>, <c>.net</c>,
/// <c>.org</c> with their subdomains, and everything under <c>.example</c> and <c>.invalid</c>.
/// Nobody owns them, so a service that still uses one outside Development sends links nobody
/// can open and mail no receiver accepts. <c>.test</c> and <c>localhost</c> are reserved too, but
/// for testing: the local stack and the tests use them (<c>salesmind.test</c>, <c>mail.test</c>).
/// </summary>
public static class ExampleNames
{
    private static readonly string[] Reserved = ["example.com", "example.net", "example.org", "example", "invalid"];

    public static bool IsExample(string host)
    {
        var name = host.Trim().TrimEnd('.').ToLowerInvariant();
        return Reserved.Any(r => name == r || name.EndsWith("." + r, StringComparison.Ordinal));
    }
}
