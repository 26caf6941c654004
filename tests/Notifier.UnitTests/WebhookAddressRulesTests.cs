using System.Net;
using SalesMind.Notifier.Webhooks;

namespace SalesMind.Notifier.UnitTests;

/// <summary>Where a webhook may be sent: the SSRF guard's rules, attacked with the address forms resolvers accept.</summary>
public sealed class WebhookAddressRulesTests
{
    private static readonly IReadOnlyList<IPNetwork> None = [];

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.0.9", "loopback")]
    [InlineData("10.1.2.3", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("100.127.255.254", "carrier-grade NAT")]
    [InlineData("0.0.0.0", "this network")]
    [InlineData("0.1.2.3", "this network")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("255.255.255.255", "reserved")]
    [InlineData("::1", "loopback")]
    [InlineData("::", "unspecified")]
    [InlineData("fc00::1", "unique-local")]
    [InlineData("fd12:3456:789a::1", "unique-local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::ffff:10.0.0.1", "private")]
    [InlineData("::ffff:169.254.169.254", "link-local")]
    [InlineData("::127.0.0.1", "IPv4-compatible")]
    [InlineData("64:ff9b::7f00:1", "loopback")]
    [InlineData("2002:a9fe:a9fe::1", "link-local")]
    public void Internal_addresses_are_refused_with_their_kind(string address, string kind) =>
        Assert.Contains(kind, WebhookAddressRules.Refusal(IPAddress.Parse(address), None));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("93.184.216.34")]
    [InlineData("100.128.0.1")]
    [InlineData("172.32.0.1")]
    [InlineData("169.255.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    public void Public_addresses_are_allowed(string address) =>
        Assert.Null(WebhookAddressRules.Refusal(IPAddress.Parse(address), None));

    [Fact]
    public void An_allowed_private_network_lets_in_its_own_addresses_and_nothing_else()
    {
        IReadOnlyList<IPNetwork> allowed = [IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("10.20.0.0/16")];

        Assert.Null(WebhookAddressRules.Refusal(IPAddress.Parse("127.0.0.1"), allowed));
        Assert.Null(WebhookAddressRules.Refusal(IPAddress.Parse("::ffff:127.0.0.1"), allowed));
        Assert.Null(WebhookAddressRules.Refusal(IPAddress.Parse("10.20.3.4"), allowed));
        Assert.NotNull(WebhookAddressRules.Refusal(IPAddress.Parse("10.21.3.4"), allowed));
        Assert.NotNull(WebhookAddressRules.Refusal(IPAddress.Parse("::1"), allowed));
        Assert.NotNull(WebhookAddressRules.Refusal(IPAddress.Parse("169.254.169.254"), allowed));
    }

    [Theory]
    [InlineData("http://127.0.0.1/", "127.0.0.1")]
    [InlineData("http://0x7f.1/", "127.0.0.1")]
    [InlineData("http://0x7f000001/", "127.0.0.1")]
    [InlineData("http://2130706433/", "127.0.0.1")]
    [InlineData("http://0177.0.0.1/", "127.0.0.1")]
    [InlineData("http://0177.1/", "127.0.0.1")]
    [InlineData("http://127.1/", "127.0.0.1")]
    [InlineData("http://127.0.0.1./", "127.0.0.1")]
    [InlineData("http://[::ffff:127.0.0.1]/", "127.0.0.1")]
    [InlineData("http://[::1]:8080/hook", "::1")]
    [InlineData("http://[0:0:0:0:0:0:0:1]/", "::1")]
    [InlineData("http://3232235777/", "192.168.1.1")]
    [InlineData("http://0xa9.0xfe.0xa9.0xfe/latest/meta-data/", "169.254.169.254")]
    [InlineData("http://0251.0376.0251.0376/", "169.254.169.254")]
    public void Every_spelling_of_an_internal_address_is_read_as_that_address_and_refused(string url, string expected)
    {
        Assert.Null(WebhookAddressRules.CheckUrl(url, allowHttp: true, out var uri));

        var address = WebhookAddressRules.LiteralAddress(WebhookAddressRules.HostOf(uri!));

        Assert.NotNull(address);
        var plain = address!.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        Assert.Equal(IPAddress.Parse(expected), plain);
        Assert.NotNull(WebhookAddressRules.Refusal(address, None));
    }

    [Theory]
    [InlineData("hooks.example.com")]
    [InlineData("1.2.3.4.example.com")]
    [InlineData("0x7f.example")]
    [InlineData("256.1.1.1")]
    [InlineData("1.2.3.4.5")]
    [InlineData("08.1.1.1")]
    [InlineData("4294967296")]
    public void A_name_is_not_taken_for_an_address(string host) =>
        Assert.Null(WebhookAddressRules.LiteralAddress(host));

    [Theory]
    [InlineData("https://hooks.example.com/salesmind", true)]
    [InlineData("https://hooks.example.com:8443/a?b=c", true)]
    [InlineData("http://hooks.example.com/", false)]
    [InlineData("ftp://hooks.example.com/", false)]
    [InlineData("https://user:secret@hooks.example.com/", false)]
    [InlineData("https://hooks.example.com@127.0.0.1/", false)]
    [InlineData("https://hooks.example.com/#part", false)]
    [InlineData("hooks.example.com/x", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("https://hooks.example.com/a b", false)]
    public void Only_absolute_https_URLs_without_credentials_are_accepted(string? url, bool accepted)
    {
        var problem = WebhookAddressRules.CheckUrl(url, allowHttp: false, out _);

        Assert.Equal(accepted, problem is null);
        if (!accepted)
        {
            Assert.StartsWith("url", problem);
        }
    }

    [Fact]
    public void Http_is_accepted_only_when_configuration_allows_it()
    {
        Assert.Contains("https", WebhookAddressRules.CheckUrl("http://hooks.example.com/", allowHttp: false, out _));
        Assert.Null(WebhookAddressRules.CheckUrl("http://hooks.example.com/", allowHttp: true, out _));
    }

    [Fact]
    public async Task A_name_that_resolves_to_loopback_is_refused_where_the_connection_is_made()
    {
        var refused = await Assert.ThrowsAsync<WebhookAddressRefusedException>(async () =>
            await WebhookPoster.ConnectAsync(new DnsEndPoint("localhost", 9), None, CancellationToken.None));

        Assert.Contains("loopback", refused.Message);
    }

    [Fact]
    public async Task A_literal_in_an_odd_spelling_is_refused_where_the_connection_is_made()
    {
        var refused = await Assert.ThrowsAsync<WebhookAddressRefusedException>(async () =>
            await WebhookPoster.ConnectAsync(new DnsEndPoint("0x7f.1", 9), None, CancellationToken.None));

        Assert.Contains("127.0.0.1", refused.Message);
    }
}
