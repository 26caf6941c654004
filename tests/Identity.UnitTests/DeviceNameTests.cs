using Microsoft.AspNetCore.Http;
using SalesMind.Identity.Sessions;

namespace SalesMind.Identity.UnitTests;

/// <summary>The account page's "Chrome on Windows": the browser and system read from real User-Agents.</summary>
public sealed class DeviceNameTests
{
    [Theory]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome on Windows")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86", "Edge on Windows")]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", "Safari on macOS")]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on macOS")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Linux")]
    [InlineData("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Ubuntu")]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari on iOS")]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1", "Chrome on iOS")]
    [InlineData("Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/133.0 Mobile/15E148 Safari/605.1.15", "Firefox on iPadOS")]
    [InlineData("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36", "Chrome on Android")]
    [InlineData("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", "Samsung Internet on Android")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0", "Opera on Windows")]
    [InlineData("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome on ChromeOS")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.33 Safari/537.36", "Chrome on Linux")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko", "Internet Explorer on Windows")]
    [InlineData("curl/8.5.0", "curl")]
    [InlineData("Mozilla/5.0 (Linux; U; en-US) Version/4.0", "Linux")]
    public void Names_the_browser_and_the_system(string userAgent, string expected)
    {
        Assert.Equal(expected, DeviceNames.Describe(userAgent).ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("SomethingElse/1.0")]
    public void An_unknown_or_missing_user_agent_names_nothing(string? userAgent)
    {
        var device = DeviceNames.Describe(userAgent);

        Assert.Null(device.Browser);
        Assert.Null(device.Os);
        Assert.Equal("", device.ToString());
    }

    [Fact]
    public void The_stored_user_agent_is_cut_to_512_without_control_characters_or_half_a_surrogate_pair()
    {
        static string? Stored(string value)
        {
            var context = new DefaultHttpContext();
            context.Request.Headers.UserAgent = value;
            return DeviceNames.UserAgentOf(context.Request);
        }

        Assert.Equal(512, Stored(new string('a', 5000))!.Length);
        Assert.Equal("Firefox/1", Stored("Fire\0fox/\u00071"));
        // 511 letters and an emoji (two UTF-16 units) would end on its first half: the half is dropped.
        Assert.Equal(new string('a', 511), Stored(new string('a', 511) + "😀"));
        Assert.Null(Stored(""));
        Assert.Null(Stored("\u0001\u0002"));
    }

    [Fact]
    public void The_client_address_is_the_connections_with_an_ipv4_mapped_address_shown_as_ipv4()
    {
        var context = new DefaultHttpContext();
        Assert.Null(DeviceNames.ClientAddressOf(context));

        context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("::ffff:203.0.113.7");
        Assert.Equal("203.0.113.7", DeviceNames.ClientAddressOf(context));

        context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("2001:db8::1");
        Assert.Equal("2001:db8::1", DeviceNames.ClientAddressOf(context));
    }
}
