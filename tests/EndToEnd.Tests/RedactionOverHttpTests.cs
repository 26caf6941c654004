using System.Net;
using System.Net.Http.Headers;
using SalesMind.TestSupport;

namespace SalesMind.EndToEnd.Tests;

/// <summary>
/// Through the running stack: a clicked account link leaves no working token in nginx's access
/// log, nor in what the Notifier's admin API shows of the email.
/// </summary>
public sealed class RedactionOverHttpTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>The stack's nginx access log (see the stack script).</summary>
    private static readonly string AccessLog = Environment.GetEnvironmentVariable("SALESMIND_TEST_NGINX_ACCESS_LOG")
        ?? Path.Combine(Stack.RepoRoot, ".stack", "logs", "nginx-access.log");

    /// <summary>A request through nginx that its log line can be found by (a User-Agent of its own).</summary>
    private static async Task<(HttpResponseMessage Response, string Probe)> GetAsync(string pathAndQuery, string? referer = null)
    {
        var probe = $"redaction-probe-{Guid.NewGuid():N}";
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue(probe, "1"));
        if (referer is not null)
        {
            request.Headers.Referrer = new Uri(referer);
        }

        return (await FrontDoor.Client.SendAsync(request), probe);
    }

    private static async Task<string> LoggedLineAsync(string probe)
    {
        string? line = null;
        await Eventually.HoldsAsync(async () =>
        {
            // nginx writes the line when the response is done; read it shared, as nginx keeps it open.
            await using var stream = new FileStream(AccessLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            line = (await reader.ReadToEndAsync()).Split('\n').LastOrDefault(l => l.Contains(probe, StringComparison.Ordinal));
            return line is not null;
        }, Patience, $"nginx logged the request {probe}");
        return line!;
    }

    [Fact]
    public async Task A_clicked_verification_link_is_logged_without_its_token()
    {
        var form = FrontDoor.NewSignup();
        await FrontDoor.RegisterAsync(form);
        var mail = Assert.Single(await Mailbox.WaitForAsync(form["email"]!, Patience));
        var link = new Uri(FrontDoor.VerificationLink(mail));
        var token = System.Web.HttpUtility.ParseQueryString(link.Query)["token"]!;

        var (response, probe) = await GetAsync(link.PathAndQuery);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/email_verified.html", response.Headers.Location!.OriginalString);
        var line = await LoggedLineAsync(probe);
        Assert.Contains("/api/auth/verify-email/?token=[redacted]", line);
        Assert.DoesNotContain(token, await File.ReadAllTextAsync(AccessLog));
    }

    [Fact]
    public async Task The_reset_page_and_what_it_loads_are_logged_without_the_token()
    {
        var token = Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        var (page, pageProbe) = await GetAsync($"/reset_password.html?token={token}");
        var (asset, assetProbe) = await GetAsync("/assets/reset-password.js", $"{Stack.FrontDoor}/reset_password.html?token={token}");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.Contains("?token=[redacted]", await LoggedLineAsync(pageProbe));
        Assert.Contains("?token=[redacted]", await LoggedLineAsync(assetProbe));
        Assert.DoesNotContain(token, await File.ReadAllTextAsync(AccessLog));
    }

    [Fact]
    public async Task The_admin_api_shows_the_verification_email_without_a_working_link()
    {
        var form = FrontDoor.NewSignup();
        await FrontDoor.RegisterAsync(form);
        var mail = Assert.Single(await Mailbox.WaitForAsync(form["email"]!, Patience));
        var token = System.Web.HttpUtility.ParseQueryString(new Uri(FrontDoor.VerificationLink(mail)).Query)["token"]!;
        var admin = await SignUpOverHttpTests.AdminTokenAsync();

        async Task<string> GetAsAdminAsync(string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
            using var response = await FrontDoor.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }

        var list = System.Text.Json.JsonDocument.Parse(await GetAsAdminAsync($"/notifier/api/admin/deliveries/?recipient={Uri.EscapeDataString(form["email"]!)}"));
        var id = list.RootElement.GetProperty("items")[0].GetProperty("id").GetString();
        var delivery = await GetAsAdminAsync($"/notifier/api/admin/deliveries/{id}?include=body");

        Assert.DoesNotContain(token, delivery);
        Assert.Contains("verify-email/?token=[redacted]", delivery);
    }
}
