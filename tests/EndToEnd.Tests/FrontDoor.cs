using System.Net.Http.Json;
using System.Text.RegularExpressions;
using MimeKit;
using SalesMind.TestSupport;

namespace SalesMind.EndToEnd.Tests;

/// <summary>The running stack as a user reaches it: nginx on the front door, the real services behind it.</summary>
public static partial class FrontDoor
{
    public static HttpClient Client { get; } = new(new HttpClientHandler { AllowAutoRedirect = false })
    {
        BaseAddress = new Uri(Stack.FrontDoor),
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static Dictionary<string, string?> NewSignup(string locale = "en")
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        return new Dictionary<string, string?>
        {
            ["username"] = $"e2e_{id}",
            ["email"] = $"e2e-{id}@mail.test",
            ["password"] = "Amber-Falcon-5821",
            ["industry"] = "consulting",
            ["sales_experience"] = "none",
            ["purpose"] = "End-to-end check",
            ["locale"] = locale,
        };
    }

    public static Task<HttpResponseMessage> RegisterAsync(Dictionary<string, string?> form) =>
        Client.PostAsJsonAsync("/api/auth/register/", form);

    /// <summary>The verification link in an email's plain-text part.</summary>
    public static string VerificationLink(MimeMessage mail)
    {
        var match = VerifyLink().Match(mail.TextBody ?? "");
        Assert.True(match.Success, "no verification link in the email's text part");
        return match.Value;
    }

    [GeneratedRegex(@"https?://\S+/api/auth/verify-email/\?token=[A-Za-z0-9_-]+")]
    private static partial Regex VerifyLink();
}
