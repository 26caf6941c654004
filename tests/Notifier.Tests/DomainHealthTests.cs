using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SalesMind.Notifier.DomainHealth;
using SalesMind.TestSupport;

namespace SalesMind.Notifier.Tests;

/// <summary>
/// The sender-domain checks through real DNS: the stack's test resolver serves the stack's
/// records, and each test here a zone file of its own for a domain of its own, which it breaks
/// and mends (a wrong DKIM key, no DMARC, SPF that leaves the mail server out).
/// </summary>
[Collection(NotifierCollection.Name)]
public sealed class DomainHealthTests(NotifierApp app) : IDisposable
{
    private readonly string _domain = $"dh-{Guid.NewGuid():N}"[..15] + ".salesmind.test";
    private readonly string _zone = Path.Combine(Stack.DnsZones, $"domain-health-{Guid.NewGuid():N}.zone");

    private static string ReportAddress => $"dmarc@{NotifierApp.BounceDomain}";

    public void Dispose() => File.Delete(_zone);

    /// <summary>The stack's DKIM records as the Notifier expects them: every selector in .stack/dkim/public with its key.</summary>
    private static List<string> StackDkimRecords(string domain)
    {
        var keys = DkimKeys.Load(new SenderDomainOptions { DkimPublicKeyPath = Path.Combine(Stack.DkimKeys, "public") });
        Assert.Contains(keys, k => k.Signing && k.PublicKey is not null);
        return [.. keys.Where(k => k.PublicKey is not null).Select(k =>
        {
            var p = Convert.ToBase64String(k.PublicKey!);
            return $"{k.Selector}._domainkey.{domain} TXT \"v=DKIM1; h=sha256; k=rsa; \" \"p={p[..200]}\" \"{p[200..]}\"";
        })];
    }

    /// <summary>The selector the stack's key directory signs with (s1, unless ops/dkim-rotate moved it on).</summary>
    private static string SigningSelector() =>
        DkimKeys.Load(new SenderDomainOptions { DkimPublicKeyPath = Path.Combine(Stack.DkimKeys, "public") }).First(k => k.Signing).Selector;

    private void WriteZone(string spf = "v=spf1 ip4:127.0.0.1 -all", bool dmarc = true, string? dkimKey = null)
    {
        var lines = new List<string> { $"{_domain} TXT \"{spf}\"" };
        if (dmarc)
        {
            lines.Add($"_dmarc.{_domain} TXT \"v=DMARC1; p=reject; adkim=r; rua=mailto:{ReportAddress}\"");
        }

        lines.AddRange(dkimKey is null ? StackDkimRecords(_domain) : [$"{SigningSelector()}._domainkey.{_domain} TXT \"v=DKIM1; k=rsa; p={dkimKey}\""]);
        // Written whole and renamed: the resolver reads the file on every question.
        File.WriteAllLines(_zone + ".tmp", lines);
        File.Move(_zone + ".tmp", _zone, overwrite: true);
    }

    private async Task<JsonElement> CheckNowAsync(HttpClient client)
    {
        var report = await NotifierApp.JsonAsync(await client.PostAsync("/api/admin/domain-health/check", null), HttpStatusCode.OK);
        return report.GetProperty("domains").EnumerateArray().Single(d => d.GetProperty("domain").GetString() == _domain);
    }

    private static void AssertCheck(JsonElement domain, string check, string status, string? reason = null)
    {
        var result = domain.GetProperty(check);
        Assert.True(result.GetProperty("status").GetString() == status, $"{check}: {result}");
        if (reason is not null)
        {
            Assert.Contains(reason, result.GetProperty("reason").GetString());
        }
    }

    [Fact]
    public async Task The_stacks_sender_domain_is_published_as_the_readme_says()
    {
        // As the stack's Notifier checks it: its own bounce domain and report address.
        var options = new SenderDomainOptions { DnsServer = Stack.DnsServer, SendingAddresses = ["127.0.0.1"], DkimPublicKeyPath = Path.Combine(Stack.DkimKeys, "public") };
        var checker = new SenderDomainChecker(new DnsClientLookup(options), options, DkimKeys.Load(options), "dmarc@bounces.salesmind.test", "bounces.salesmind.test");

        var result = await checker.CheckAsync("salesmind.test", [], CancellationToken.None);

        Assert.True(result.Status == CheckStatus.Ok, JsonSerializer.Serialize(result));
        Assert.Contains(result.Spf.Details, d => d.StartsWith("127.0.0.1: pass", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_sender_domain_is_ok_then_fails_with_the_reason_for_each_broken_record_and_recovers()
    {
        var client = app.AdminClient();
        WriteZone();
        await NotifierApp.JsonAsync(await client.PostAsJsonAsync("/api/admin/senders",
            new { address = $"news@{_domain}", display_name = "Domain health" }), HttpStatusCode.Created);

        var healthy = await CheckNowAsync(client);
        Assert.Equal("ok", healthy.GetProperty("status").GetString());
        Assert.Contains($"news@{_domain}", healthy.GetProperty("senders").EnumerateArray().Select(s => s.GetString()));

        using (var other = System.Security.Cryptography.RSA.Create(2048))
        {
            WriteZone(dkimKey: Convert.ToBase64String(other.ExportSubjectPublicKeyInfo()));
        }

        var wrongKey = await CheckNowAsync(client);
        AssertCheck(wrongKey, "dkim", "fail", "but the mail server's key is");
        AssertCheck(wrongKey, "spf", "ok");
        Assert.Equal("fail", wrongKey.GetProperty("status").GetString());

        WriteZone(dmarc: false);
        var noDmarc = await CheckNowAsync(client);
        AssertCheck(noDmarc, "dmarc", "fail", $"no DMARC record at _dmarc.{_domain}");
        AssertCheck(noDmarc, "dkim", "ok");

        WriteZone(spf: "v=spf1 ip4:192.0.2.10 -all");
        var spfMisses = await CheckNowAsync(client);
        AssertCheck(spfMisses, "spf", "fail", "127.0.0.1 is not authorized (fail");

        WriteZone(spf: "v=spf1 ip4:127.0.0.1 -all", dmarc: true);
        var mended = await CheckNowAsync(client);
        Assert.Equal("ok", mended.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_report_is_kept_for_a_while_and_check_now_makes_a_new_one()
    {
        var client = app.AdminClient();
        var checkedNow = await NotifierApp.JsonAsync(await client.PostAsync("/api/admin/domain-health/check", null), HttpStatusCode.OK);
        var cached = await NotifierApp.JsonAsync(await client.GetAsync("/api/admin/domain-health"), HttpStatusCode.OK);

        Assert.Equal(checkedNow.GetProperty("checked_at").GetDateTimeOffset(), cached.GetProperty("checked_at").GetDateTimeOffset());
        Assert.Equal(Stack.DnsServer, cached.GetProperty("dns_server").GetString());

        var again = await NotifierApp.JsonAsync(await client.PostAsync("/api/admin/domain-health/check", null), HttpStatusCode.OK);
        Assert.True(again.GetProperty("checked_at").GetDateTimeOffset() > checkedNow.GetProperty("checked_at").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_burst_of_check_now_requests_shares_checks_instead_of_running_one_each()
    {
        var client = app.AdminClient();
        var burst = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => client.PostAsync("/api/admin/domain-health/check", null)));
        var times = new HashSet<DateTimeOffset>();
        foreach (var response in burst)
        {
            times.Add((await NotifierApp.JsonAsync(response, HttpStatusCode.OK)).GetProperty("checked_at").GetDateTimeOffset());
        }

        // One check at a time; every request that waited shares the next one.
        Assert.True(times.Count <= 3, $"{times.Count} checks for 12 requests");
    }

    [Fact]
    public async Task Outsiders_get_nothing()
    {
        var anonymous = app.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/admin/domain-health")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/admin/domain-health/check", null)).StatusCode);
    }
}
