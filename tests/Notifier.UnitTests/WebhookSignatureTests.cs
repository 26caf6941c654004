using System.Security.Cryptography;
using System.Text;
using SalesMind.Notifier.Webhooks;

namespace SalesMind.Notifier.UnitTests;

/// <summary>The webhook signature as a receiver checks it, and the ways an outsider would try to get past that check.</summary>
public sealed class WebhookSignatureTests
{
    private const string Secret = "whsec_k3Vw9o0eY1bYc5n0J5m8Qm2wq3vX7uJ4rN6tZ2pL8aA";
    private const string Body = """{"id":"0193f4a2-8000-7000-8000-00000000e001","type":"delivery.bounced"}""";
    private static readonly DateTimeOffset At = new(2026, 11, 30, 4, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Tolerance = WebhookSignature.DefaultTolerance;

    [Fact]
    public void The_header_is_t_and_the_hex_HMAC_SHA256_of_t_dot_body_under_the_secret_as_shown()
    {
        var header = WebhookSignature.Sign(Secret, At, Body);

        var t = At.ToUnixTimeSeconds();
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{t}.{Body}")));
        Assert.Equal($"t={t},v1={expected}", header);
        Assert.Equal(WebhookSignatureCheck.Valid, WebhookSignature.Verify(header, Secret, Body, At.AddSeconds(3), Tolerance));
    }

    [Fact]
    public void An_altered_body_or_another_secret_does_not_verify()
    {
        var header = WebhookSignature.Sign(Secret, At, Body);

        Assert.Equal(WebhookSignatureCheck.Mismatch, WebhookSignature.Verify(header, Secret, Body.Replace("bounced", "delivered"), At, Tolerance));
        Assert.Equal(WebhookSignatureCheck.Mismatch, WebhookSignature.Verify(header, Secret + "x", Body, At, Tolerance));
        Assert.Equal(WebhookSignatureCheck.Mismatch, WebhookSignature.Verify(header, Secret, Body + " ", At, Tolerance));
    }

    [Fact]
    public void A_captured_request_replayed_later_is_expired_and_a_fresh_timestamp_breaks_its_signature()
    {
        var header = WebhookSignature.Sign(Secret, At, Body);

        Assert.Equal(WebhookSignatureCheck.Expired, WebhookSignature.Verify(header, Secret, Body, At.AddMinutes(6), Tolerance));
        Assert.Equal(WebhookSignatureCheck.Expired, WebhookSignature.Verify(header, Secret, Body, At.AddMinutes(-6), Tolerance));

        var v1 = header[(header.IndexOf(",v1=", StringComparison.Ordinal) + 4)..];
        var retimed = $"t={At.AddMinutes(6).ToUnixTimeSeconds()},v1={v1}";
        Assert.Equal(WebhookSignatureCheck.Mismatch, WebhookSignature.Verify(retimed, Secret, Body, At.AddMinutes(6), Tolerance));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("v1=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("t=1764475200")]
    [InlineData("t=abc,v1=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("t=-5,v1=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("t=1764475200,v1=zz")]
    [InlineData("t=1764475200,v1=00")]
    [InlineData("t=99999999999999999999,v1=0000000000000000000000000000000000000000000000000000000000000000")]
    public void A_missing_or_malformed_header_is_refused(string? header) =>
        Assert.Equal(WebhookSignatureCheck.Malformed, WebhookSignature.Verify(header, Secret, Body, At, Tolerance));

    [Fact]
    public void A_forged_v1_beside_the_real_one_does_not_hurt_and_a_forged_one_alone_fails()
    {
        var header = WebhookSignature.Sign(Secret, At, Body);
        var forged = $"t={At.ToUnixTimeSeconds()},v1={new string('a', 64)}";

        Assert.Equal(WebhookSignatureCheck.Mismatch, WebhookSignature.Verify(forged, Secret, Body, At, Tolerance));
        Assert.Equal(WebhookSignatureCheck.Valid, WebhookSignature.Verify($"{forged},{header[header.IndexOf("v1=", StringComparison.Ordinal)..]}", Secret, Body, At, Tolerance));
    }
}
