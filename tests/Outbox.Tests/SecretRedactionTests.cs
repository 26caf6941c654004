namespace SalesMind.Outbox.Tests;

/// <summary>The redaction every admin listing applies: no working token survives, in any encoding it is stored in.</summary>
public sealed class SecretRedactionTests
{
    private const string Token = "q1W2e3R4t5Y6u7I8o9P0-_aSdFgHjKlZxCvBnM1234";

    [Theory]
    [InlineData("https://salesmind.test/api/auth/verify-email/?token=" + Token)]
    [InlineData("https://salesmind.test/reset_password.html?lang=ja&token=" + Token + "&x=1")]
    [InlineData("<a href=\"https://salesmind.test/reset_password.html?lang=ja&amp;token=" + Token + "\">reset</a>")]
    [InlineData("{\"url\":\"https://salesmind.test/x?lang=ja\\u0026token=" + Token + "\"}")]
    [InlineData("https://salesmind.test/x#reset_token=" + Token)]
    [InlineData("https://salesmind.test/x?TOKEN=" + Token)]
    public void A_token_in_a_link_is_redacted(string text)
    {
        var redacted = SecretRedaction.Redact(text);

        Assert.DoesNotContain(Token, redacted);
        Assert.Contains("=" + SecretRedaction.Marker, redacted);
        Assert.True(SecretRedaction.HasRedactedSecret(redacted));
        Assert.Equal(redacted, SecretRedaction.Redact(redacted));
    }

    [Theory]
    [InlineData("{\"userId\":\"x\",\"verificationCode\":\"042917\",\"locale\":\"ja\"}")]
    [InlineData("{\"verification_code\": \"042917\"}")]
    [InlineData("{\"Code\":\"042917\"}")]
    public void A_one_time_code_in_an_events_json_is_redacted(string json)
    {
        var redacted = SecretRedaction.Redact(json);

        Assert.DoesNotContain("042917", redacted);
        Assert.Contains(":\"" + SecretRedaction.Marker + "\"", redacted.Replace(": \"", ":\""));
        Assert.Equal(redacted, SecretRedaction.Redact(redacted));
    }

    [Fact]
    public void Text_without_a_secret_is_left_alone()
    {
        const string text = "https://salesmind.test/login.html?lang=ja and tokens=3 in prose";
        Assert.Equal(text, SecretRedaction.Redact(text));
    }

    [Fact]
    public void A_secret_link_of_an_unknown_shape_keeps_only_its_origin()
    {
        Assert.Equal("https://salesmind.test/[redacted]", SecretRedaction.RedactLink("https://salesmind.test/verify/" + Token));
        Assert.Equal("https://salesmind.test/verify/?token=[redacted]", SecretRedaction.RedactLink("https://salesmind.test/verify/?token=" + Token));
    }
}
