namespace SalesMind.Identity.Sessions;

/// <summary>A browser and system read from a User-Agent; either is null when it is not recognised.</summary>
public sealed record DeviceName(string? Browser, string? Os)
{
    /// <summary>"Chrome on Windows", "Firefox", "Android", or "" when nothing is known.</summary>
    public override string ToString() => (Browser, Os) switch
    {
        ({ } browser, { } os) => $"{browser} on {os}",
        ({ } browser, null) => browser,
        (null, { } os) => os,
        _ => "",
    };
}

/// <summary>
/// Names the device behind a session for its owner's list: the browser family and the system,
/// no versions. A deliberately small reader of the well-known tokens, tried in an order that
/// matters (Edge and Opera say "Chrome" too, Chrome says "Safari", Android says "Linux"). It only
/// labels a row: the User-Agent is the client's to choose, so nothing is ever decided by it.
/// </summary>
public static class DeviceNames
{
    /// <summary>What is kept of a User-Agent (the column's length).</summary>
    public const int MaxUserAgent = 512;

    private static readonly (string Token, string Name)[] Browsers =
    [
        ("Edg/", "Edge"), ("EdgA/", "Edge"), ("EdgiOS/", "Edge"), ("Edge/", "Edge"),
        ("OPR/", "Opera"), ("OPiOS/", "Opera"), ("Opera", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("YaBrowser/", "Yandex Browser"),
        ("Vivaldi/", "Vivaldi"),
        ("FxiOS/", "Firefox"), ("Firefox/", "Firefox"),
        ("CriOS/", "Chrome"), ("HeadlessChrome/", "Chrome"), ("Chromium/", "Chromium"), ("Chrome/", "Chrome"),
        ("MSIE ", "Internet Explorer"), ("Trident/", "Internet Explorer"),
        ("Version/", "Safari"),
        ("curl/", "curl"),
    ];

    private static readonly (string Token, string Name)[] Systems =
    [
        ("Windows Phone", "Windows Phone"), ("Windows", "Windows"),
        ("iPhone", "iOS"), ("iPad", "iPadOS"), ("iPod", "iOS"),
        ("Android", "Android"),
        ("CrOS", "ChromeOS"),
        ("Mac OS X", "macOS"), ("Macintosh", "macOS"),
        ("Ubuntu", "Ubuntu"), ("Fedora", "Fedora"),
        ("Linux", "Linux"), ("X11", "Linux"),
    ];

    public static DeviceName Describe(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return new(null, null);
        }

        var browser = First(Browsers, userAgent);
        // "Version/" alone is not Safari: only with Safari's own token.
        if (browser == "Safari" && !userAgent.Contains("Safari/", StringComparison.Ordinal))
        {
            browser = null;
        }

        return new(browser, First(Systems, userAgent));
    }

    /// <summary>
    /// The request's User-Agent as stored: control characters dropped (PostgreSQL refuses a NUL),
    /// cut to <see cref="MaxUserAgent"/> without splitting a surrogate pair; null when absent.
    /// </summary>
    public static string? UserAgentOf(HttpRequest request)
    {
        var raw = request.Headers.UserAgent.ToString();
        if (raw.Length == 0)
        {
            return null;
        }

        var clean = new string(raw.Where(c => !char.IsControl(c)).Take(MaxUserAgent).ToArray());
        if (clean.Length > 0 && char.IsHighSurrogate(clean[^1]))
        {
            clean = clean[..^1];
        }

        return clean.Length == 0 ? null : clean;
    }

    /// <summary>
    /// The client's address as the rate limits see it: behind nginx, the one X-Forwarded-For
    /// believed from a known proxy (the forwarded-headers middleware has already applied it).
    /// </summary>
    public static string? ClientAddressOf(HttpContext http)
    {
        var address = http.Connection.RemoteIpAddress;
        if (address is null)
        {
            return null;
        }

        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }

    private static string? First((string Token, string Name)[] table, string userAgent)
    {
        foreach (var (token, name) in table)
        {
            if (userAgent.Contains(token, StringComparison.Ordinal))
            {
                return name;
            }
        }

        return null;
    }
}
