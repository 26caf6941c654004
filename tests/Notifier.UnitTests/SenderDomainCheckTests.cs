using System.Net;
using System.Security.Cryptography;
using SalesMind.Notifier.DomainHealth;

namespace SalesMind.Notifier.UnitTests;

/// <summary>A zone in memory: TXT, A/AAAA and MX records by name; every question is counted.</summary>
internal sealed class FakeDns : IDnsLookup
{
    public Dictionary<string, List<string>> Txt { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, List<IPAddress>> Addresses { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, List<string>> Mx { get; } = new(StringComparer.OrdinalIgnoreCase);

    public HashSet<string> Broken { get; } = new(StringComparer.OrdinalIgnoreCase);

    public int Questions { get; private set; }

    public FakeDns Add(string name, params string[] txt)
    {
        Txt.TryAdd(name, []);
        Txt[name].AddRange(txt);
        return this;
    }

    public Task<DnsAnswer<string>> TxtAsync(string name, CancellationToken ct) => Answer(Txt, name);

    public Task<DnsAnswer<IPAddress>> AddressesAsync(string name, CancellationToken ct) => Answer(Addresses, name);

    public Task<DnsAnswer<string>> MxAsync(string name, CancellationToken ct) => Answer(Mx, name);

    private Task<DnsAnswer<T>> Answer<T>(Dictionary<string, List<T>> zone, string name)
    {
        Questions++;
        return Task.FromResult(Broken.Contains(name) ? DnsAnswer<T>.Broken($"{name}: timed out")
            : zone.TryGetValue(name, out var values) ? new DnsAnswer<T>(values) : DnsAnswer<T>.Empty);
    }
}

public sealed class SpfEvaluationTests
{
    private static readonly IPAddress Server = IPAddress.Parse("203.0.113.10");

    private static Task<SpfOutcome> Check(FakeDns dns, string domain = "example.net", IPAddress? ip = null) =>
        new SpfEvaluator(dns).CheckHostAsync(ip ?? Server, domain, CancellationToken.None);

    [Theory]
    [InlineData("v=spf1 ip4:203.0.113.10 -all", SpfResult.Pass, "ip4:203.0.113.10")]
    [InlineData("v=spf1 ip4:203.0.113.0/24 -all", SpfResult.Pass, "ip4:203.0.113.0/24")]
    [InlineData("v=spf1 ip4:198.51.100.1 -all", SpfResult.Fail, "-all")]
    [InlineData("v=spf1 ip4:198.51.100.1 ~all", SpfResult.SoftFail, "~all")]
    [InlineData("v=spf1 ip4:198.51.100.1 ?all", SpfResult.Neutral, "?all")]
    [InlineData("v=spf1 -ip4:203.0.113.10 +all", SpfResult.Fail, "-ip4:203.0.113.10")]
    [InlineData("V=SPF1 IP4:203.0.113.10 -ALL", SpfResult.Pass, "IP4:203.0.113.10")]
    [InlineData("v=spf1 ip6:2001:db8::/32 ip4:203.0.113.8/30 -all", SpfResult.Pass, "ip4:203.0.113.8/30")]
    public async Task Ip_mechanisms_and_the_all_qualifier_decide(string record, SpfResult expected, string mechanism)
    {
        var outcome = await Check(new FakeDns().Add("example.net", record));

        Assert.Equal(expected, outcome.Result);
        Assert.Equal(mechanism, outcome.Mechanism);
    }

    [Fact]
    public async Task Ip6_matches_by_prefix_and_never_an_ipv4_address()
    {
        var dns = new FakeDns().Add("example.net", "v=spf1 ip6:2001:db8:10::/48 -all");

        Assert.Equal(SpfResult.Pass, (await Check(dns, ip: IPAddress.Parse("2001:db8:10::25"))).Result);
        Assert.Equal(SpfResult.Fail, (await Check(dns, ip: IPAddress.Parse("2001:db8:11::25"))).Result);
        Assert.Equal(SpfResult.Fail, (await Check(dns)).Result);
    }

    [Fact]
    public async Task A_and_mx_look_up_the_hosts_addresses()
    {
        var dns = new FakeDns().Add("example.net", "v=spf1 a:web.example.net mx -all");
        dns.Addresses["web.example.net"] = [IPAddress.Parse("192.0.2.1")];
        dns.Mx["example.net"] = ["mx1.example.net", "mx2.example.net"];
        dns.Addresses["mx2.example.net"] = [IPAddress.Parse("203.0.113.10")];

        var outcome = await Check(dns);

        Assert.Equal(SpfResult.Pass, outcome.Result);
        Assert.Equal("mx", outcome.Mechanism);
        Assert.Contains("mx2.example.net", outcome.Explanation);
    }

    [Fact]
    public async Task A_with_a_prefix_length_covers_the_hosts_network()
    {
        var dns = new FakeDns().Add("example.net", "v=spf1 a/24 -all");
        dns.Addresses["example.net"] = [IPAddress.Parse("203.0.113.200")];

        Assert.Equal(SpfResult.Pass, (await Check(dns)).Result);
    }

    [Fact]
    public async Task Include_passes_through_the_included_record_and_says_which_mechanism()
    {
        var dns = new FakeDns()
            .Add("example.net", "v=spf1 include:_spf.relay.example -all")
            .Add("_spf.relay.example", "v=spf1 ip4:203.0.113.0/28 ~all");

        var outcome = await Check(dns);

        Assert.Equal(SpfResult.Pass, outcome.Result);
        Assert.Equal("include:_spf.relay.example", outcome.Mechanism);
        Assert.Contains("ip4:203.0.113.0/28 in _spf.relay.example's record", outcome.Explanation);
    }

    [Fact]
    public async Task A_failing_include_does_not_match_and_evaluation_goes_on()
    {
        var dns = new FakeDns()
            .Add("example.net", "v=spf1 include:other.example ip4:203.0.113.10 -all")
            .Add("other.example", "v=spf1 -all");

        Assert.Equal("ip4:203.0.113.10", (await Check(dns)).Mechanism);
    }

    [Fact]
    public async Task An_include_without_a_record_is_a_permerror()
    {
        var dns = new FakeDns().Add("example.net", "v=spf1 include:nothing.example -all");

        Assert.Equal(SpfResult.PermError, (await Check(dns)).Result);
    }

    [Fact]
    public async Task Redirect_is_followed_when_nothing_matched()
    {
        var dns = new FakeDns()
            .Add("example.net", "v=spf1 ip4:192.0.2.1 redirect=_spf.example.org")
            .Add("_spf.example.org", "v=spf1 ip4:203.0.113.10 -all");

        var outcome = await Check(dns);

        Assert.Equal(SpfResult.Pass, outcome.Result);
        Assert.Equal("_spf.example.org", outcome.Domain);
    }

    [Fact]
    public async Task Eleven_lookups_through_a_chain_of_includes_are_a_permerror_and_stop_asking()
    {
        // A hostile (or careless) chain: each record includes the next, forever.
        var dns = new FakeDns();
        for (var i = 0; i < 30; i++)
        {
            dns.Add($"n{i}.example", $"v=spf1 include:n{i + 1}.example -all");
        }

        var outcome = await Check(dns, "n0.example");

        Assert.Equal(SpfResult.PermError, outcome.Result);
        Assert.Contains("more than 10", outcome.Explanation);
        Assert.True(dns.Questions <= 12, $"{dns.Questions} questions");
    }

    [Fact]
    public async Task A_record_that_includes_itself_ends_in_the_limit()
    {
        var dns = new FakeDns().Add("loop.example", "v=spf1 include:loop.example -all");

        Assert.Equal(SpfResult.PermError, (await Check(dns, "loop.example")).Result);
    }

    [Fact]
    public async Task Ten_lookups_are_allowed()
    {
        var dns = new FakeDns().Add("example.net", "v=spf1 " + string.Join(' ', Enumerable.Range(0, 9).Select(i => $"a:h{i}.example")) + " mx -all");
        for (var i = 0; i < 9; i++)
        {
            dns.Addresses[$"h{i}.example"] = [IPAddress.Parse("192.0.2.1")];
        }

        dns.Mx["example.net"] = ["mx.example.net"];
        dns.Addresses["mx.example.net"] = [IPAddress.Parse("203.0.113.10")];

        Assert.Equal(SpfResult.Pass, (await Check(dns)).Result);
    }

    [Fact]
    public async Task Three_void_lookups_are_a_permerror()
    {
        var dns = new FakeDns().Add("example.net", "v=spf1 a:v1.example a:v2.example a:v3.example -all");

        var outcome = await Check(dns);

        Assert.Equal(SpfResult.PermError, outcome.Result);
        Assert.Contains("found nothing", outcome.Explanation);
    }

    [Fact]
    public async Task Two_spf_records_are_a_permerror_and_other_txt_records_are_ignored()
    {
        Assert.Equal(SpfResult.PermError, (await Check(new FakeDns().Add("example.net", "v=spf1 -all", "v=spf1 +all"))).Result);
        Assert.Equal(SpfResult.None, (await Check(new FakeDns().Add("example.net", "google-site-verification=abc", "v=spf10 -all"))).Result);
    }

    [Fact]
    public async Task A_dns_failure_is_a_temperror_not_a_fail()
    {
        var dns = new FakeDns().Add("example.net", "v=spf1 include:down.example -all");
        dns.Broken.Add("down.example");

        Assert.Equal(SpfResult.TempError, (await Check(dns)).Result);
    }

    [Theory]
    [InlineData("v=spf1 exists:%{i}.spf.example -all")]
    [InlineData("v=spf1 include:%{d}._spf.example -all")]
    public async Task A_macro_is_reported_as_not_evaluated_never_as_a_verdict(string record)
    {
        var outcome = await Check(new FakeDns().Add("example.net", record));

        Assert.Equal(SpfResult.Unknown, outcome.Result);
        Assert.Contains("macro", outcome.Explanation);
    }

    [Theory]
    [InlineData("v=spf1 ip4:300.1.1.1 -all")]
    [InlineData("v=spf1 ip4:203.0.113.10/33 -all")]
    [InlineData("v=spf1 ip4 -all")]
    [InlineData("v=spf1 foo:bar -all")]
    public async Task A_malformed_term_is_a_permerror(string record) =>
        Assert.Equal(SpfResult.PermError, (await Check(new FakeDns().Add("example.net", record))).Result);
}

public sealed class SenderDomainCheckTests
{
    private const string Domain = "salesmind.example";
    private const string ReportAddress = "dmarc-reports@bounces.salesmind.example";
    private static readonly RSA ServerKey = RSA.Create(2048);
    private static readonly string ServerPublic = Convert.ToBase64String(ServerKey.ExportSubjectPublicKeyInfo());

    private static SenderDomainChecker Checker(FakeDns dns, string[]? sending = null, IReadOnlyList<DkimKey>? keys = null) =>
        new(dns, new SenderDomainOptions { SendingAddresses = sending ?? ["203.0.113.10"] },
            keys ?? [new DkimKey("s1", ServerKey.ExportSubjectPublicKeyInfo(), true, "s1.txt")], ReportAddress, "bounces.salesmind.example");

    private static FakeDns Healthy() => new FakeDns()
        .Add(Domain, "v=spf1 ip4:203.0.113.10 -all")
        .Add($"s1._domainkey.{Domain}", $"v=DKIM1; h=sha256; k=rsa; p={ServerPublic}")
        .Add($"_dmarc.{Domain}", $"v=DMARC1; p=quarantine; rua=mailto:{ReportAddress}");

    [Fact]
    public async Task A_domain_set_up_as_documented_is_ok_on_all_three()
    {
        var result = await Checker(Healthy()).CheckAsync(Domain, ["no-reply@salesmind.example"], CancellationToken.None);

        Assert.Equal(CheckStatus.Ok, result.Status);
        Assert.Contains("203.0.113.10: pass", string.Join('\n', result.Spf.Details));
        Assert.Contains("all qualifier: -all", string.Join('\n', result.Spf.Details));
    }

    [Fact]
    public async Task Spf_that_does_not_cover_the_server_fails_naming_the_address()
    {
        var dns = Healthy();
        dns.Txt[Domain] = ["v=spf1 ip4:198.51.100.7 -all"];

        var spf = await Checker(dns).CheckSpfAsync(Domain, CancellationToken.None);

        Assert.Equal(CheckStatus.Fail, spf.Status);
        Assert.Contains("203.0.113.10 is not authorized (fail", spf.Reason);
    }

    [Fact]
    public async Task Spf_with_plus_all_fails_and_without_all_warns()
    {
        var dns = Healthy();
        dns.Txt[Domain] = ["v=spf1 ip4:203.0.113.10 +all"];
        Assert.Equal(CheckStatus.Fail, (await Checker(dns).CheckSpfAsync(Domain, CancellationToken.None)).Status);

        dns.Txt[Domain] = ["v=spf1 ip4:203.0.113.10"];
        Assert.Equal(CheckStatus.Warn, (await Checker(dns).CheckSpfAsync(Domain, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task A_sending_range_must_be_covered_from_its_first_to_its_last_address()
    {
        var dns = Healthy();
        dns.Txt[Domain] = ["v=spf1 ip4:203.0.113.0/25 -all"];

        var spf = await Checker(dns, ["203.0.113.0/24"]).CheckSpfAsync(Domain, CancellationToken.None);

        Assert.Equal(CheckStatus.Fail, spf.Status);
        Assert.Contains("last address 203.0.113.255", spf.Reason);
    }

    [Fact]
    public async Task Missing_or_duplicate_spf_fails()
    {
        var dns = Healthy();
        dns.Txt.Remove(Domain);
        Assert.Equal(CheckStatus.Fail, (await Checker(dns).CheckSpfAsync(Domain, CancellationToken.None)).Status);

        dns.Add(Domain, "v=spf1 ip4:203.0.113.10 -all", "v=spf1 include:_spf.google.com ~all");
        var twice = await Checker(dns).CheckSpfAsync(Domain, CancellationToken.None);
        Assert.Equal(CheckStatus.Fail, twice.Status);
        Assert.Contains("2 SPF records", twice.Reason);
    }

    [Fact]
    public async Task Without_sending_addresses_spf_only_warns()
    {
        var spf = await Checker(Healthy(), sending: []).CheckSpfAsync(Domain, CancellationToken.None);

        Assert.Equal(CheckStatus.Warn, spf.Status);
        Assert.Contains("DomainHealth:SendingAddresses", spf.Reason);
    }

    [Fact]
    public async Task A_published_key_that_is_not_the_servers_fails_with_both_fingerprints()
    {
        var dns = Healthy();
        using var other = RSA.Create(2048);
        dns.Txt[$"s1._domainkey.{Domain}"] = [$"v=DKIM1; k=rsa; p={Convert.ToBase64String(other.ExportSubjectPublicKeyInfo())}"];

        var dkim = await Checker(dns).CheckDkimAsync(Domain, CancellationToken.None);

        Assert.Equal(CheckStatus.Fail, dkim.Status);
        Assert.Contains(DkimKeys.Fingerprint(other.ExportSubjectPublicKeyInfo()), dkim.Reason);
        Assert.Contains(DkimKeys.Fingerprint(ServerKey.ExportSubjectPublicKeyInfo()), dkim.Reason);
    }

    [Fact]
    public async Task A_key_split_into_strings_with_spaces_and_in_pkcs1_form_still_matches()
    {
        var dns = Healthy();
        var pkcs1 = Convert.ToBase64String(ServerKey.ExportRSAPublicKey());
        dns.Txt[$"s1._domainkey.{Domain}"] = [$"v=DKIM1; k=rsa; p={pkcs1[..100]} {pkcs1[100..]}"];

        Assert.Equal(CheckStatus.Ok, (await Checker(dns).CheckDkimAsync(Domain, CancellationToken.None)).Status);
    }

    [Theory]
    [InlineData("v=DKIM1; k=rsa; p=", "revoked")]
    [InlineData("v=DKIM1; k=rsa; p=not*base64", "not base64")]
    [InlineData("v=DKIM2; p=AAAA", "v=DKIM2")]
    public async Task A_revoked_broken_or_foreign_record_fails(string record, string reason)
    {
        var dns = Healthy();
        dns.Txt[$"s1._domainkey.{Domain}"] = [record];

        var dkim = await Checker(dns).CheckDkimAsync(Domain, CancellationToken.None);

        Assert.Equal(CheckStatus.Fail, dkim.Status);
        Assert.Contains(reason, dkim.Reason);
    }

    [Fact]
    public async Task During_a_rotation_the_new_selector_missing_is_a_warning_and_the_signing_one_must_match()
    {
        using var next = RSA.Create(2048);
        var keys = new[]
        {
            new DkimKey("s1", ServerKey.ExportSubjectPublicKeyInfo(), true, "s1.txt"),
            new DkimKey("s2", next.ExportSubjectPublicKeyInfo(), false, "s2.txt"),
        };
        var dns = Healthy();

        var before = await Checker(dns, keys: keys).CheckDkimAsync(Domain, CancellationToken.None);
        Assert.Equal(CheckStatus.Warn, before.Status);
        Assert.Contains("s2: no DKIM record at s2._domainkey", before.Reason);

        dns.Add($"s2._domainkey.{Domain}", $"v=DKIM1; k=rsa; p={Convert.ToBase64String(next.ExportSubjectPublicKeyInfo())}");
        Assert.Equal(CheckStatus.Ok, (await Checker(dns, keys: keys).CheckDkimAsync(Domain, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task Key_files_are_read_as_pem_or_as_opendkims_record_and_a_private_key_is_refused()
    {
        var pem = ServerKey.ExportSubjectPublicKeyInfoPem();
        Assert.Equal(ServerKey.ExportSubjectPublicKeyInfo(), DkimKeys.ParseKeyFile(pem));

        // opendkim-genkey's s1.txt: the value split into quoted strings over several lines.
        var txt = $"s1._domainkey\tIN\tTXT\t( \"v=DKIM1; h=sha256; k=rsa; \"\n\t  \"p={ServerPublic[..200]}\"\n\t  \"{ServerPublic[200..]}\" )  ; ----- DKIM key s1 for salesmind.example\n";
        Assert.Equal(ServerKey.ExportSubjectPublicKeyInfo(), DkimKeys.ParseKeyFile(txt));

        Assert.Throws<DkimKeys.InvalidKeyFileException>(() => DkimKeys.ParseKeyFile(ServerKey.ExportPkcs8PrivateKeyPem()));
    }

    [Fact]
    public async Task A_key_directory_names_the_selectors_and_its_marker_the_signing_one()
    {
        var dir = Directory.CreateTempSubdirectory("dkim-public-");
        try
        {
            using var next = RSA.Create(2048);
            File.WriteAllText(Path.Combine(dir.FullName, "s1.pem"), ServerKey.ExportSubjectPublicKeyInfoPem());
            File.WriteAllText(Path.Combine(dir.FullName, "s2.pem"), next.ExportSubjectPublicKeyInfoPem());
            var options = new SenderDomainOptions { DkimSelector = "s1", DkimPublicKeyPath = dir.FullName };

            Assert.Equal(["s1", "s2"], DkimKeys.Load(options).Select(k => k.Selector));
            Assert.True(DkimKeys.Load(options)[0].Signing);

            File.WriteAllText(Path.Combine(dir.FullName, DkimKeys.SigningSelectorFile), "s2\n");
            var keys = DkimKeys.Load(options);
            Assert.Equal("s2", keys[0].Selector);
            Assert.True(keys[0].Signing);
            Assert.False(keys[1].Signing);
        }
        finally
        {
            dir.Delete(recursive: true);
        }

        await Task.CompletedTask;
    }

    [Fact]
    public async Task Missing_dmarc_fails_and_p_none_warns()
    {
        var dns = Healthy();
        dns.Txt.Remove($"_dmarc.{Domain}");
        var missing = await Checker(dns).CheckDmarcAsync(Domain, CancellationToken.None);
        Assert.Equal(CheckStatus.Fail, missing.Status);
        Assert.Contains("no DMARC record at _dmarc.salesmind.example", missing.Reason);

        dns.Add($"_dmarc.{Domain}", $"v=DMARC1; p=none; rua=mailto:{ReportAddress}");
        var none = await Checker(dns).CheckDmarcAsync(Domain, CancellationToken.None);
        Assert.Equal(CheckStatus.Warn, none.Status);
        Assert.Contains("p=none", none.Reason);
    }

    [Theory]
    [InlineData("v=DMARC1; p=reject; rua=mailto:someone@elsewhere.example", "does not include our report address")]
    [InlineData("v=DMARC1; p=reject", "no rua=")]
    [InlineData("v=DMARC1; p=reject; aspf=s; rua=mailto:dmarc-reports@bounces.salesmind.example", "SPF never aligns")]
    public async Task Dmarc_that_does_not_report_to_us_or_cannot_align_warns(string record, string reason)
    {
        var dns = Healthy();
        dns.Txt[$"_dmarc.{Domain}"] = [record];

        var dmarc = await Checker(dns).CheckDmarcAsync(Domain, CancellationToken.None);

        Assert.Equal(CheckStatus.Warn, dmarc.Status);
        Assert.Contains(reason, dmarc.Reason);
    }

    [Theory]
    [InlineData("p=reject; v=DMARC1")]
    [InlineData("v=DMARC1; rua=mailto:x@y.example; p=reject")]
    [InlineData("v=DMARC1; p=block")]
    public async Task An_invalid_dmarc_record_fails(string record)
    {
        var dns = Healthy();
        dns.Txt[$"_dmarc.{Domain}"] = [record];

        Assert.Equal(CheckStatus.Fail, (await Checker(dns).CheckDmarcAsync(Domain, CancellationToken.None)).Status);
    }

    [Fact]
    public void Dmarc_rua_addresses_drop_their_size_limit_and_scheme()
    {
        var policy = DmarcPolicy.Parse("v=DMARC1; p=quarantine; adkim=s; pct=50; rua=mailto:a@x.example!10m, https://ignored.example/, mailto:B@Y.example")!;

        Assert.Equal(["a@x.example", "B@Y.example"], policy.AggregateTo);
        Assert.True(policy.StrictDkim);
        Assert.False(policy.StrictSpf);
        Assert.Equal(50, policy.Percent);
    }

    [Fact]
    public async Task Lookups_that_fail_warn_instead_of_failing_the_domain()
    {
        var dns = Healthy();
        dns.Broken.Add(Domain);
        dns.Broken.Add($"_dmarc.{Domain}");

        var result = await Checker(dns).CheckAsync(Domain, [], CancellationToken.None);

        Assert.Equal(CheckStatus.Warn, result.Spf.Status);
        Assert.Equal(CheckStatus.Warn, result.Dmarc.Status);
        Assert.Contains("could not be looked up", result.Dmarc.Reason);
    }

    [Theory]
    [InlineData("127.0.0.1:5354", true)]
    [InlineData("[::1]:53", true)]
    [InlineData("10.0.0.2", true)]
    [InlineData("resolver:53", true)]
    [InlineData("resolver", true)]
    [InlineData("127.0.0.1:99999", false)]
    [InlineData("bad host:53", false)]
    public void The_resolver_setting_is_host_and_port(string value, bool valid) =>
        Assert.Equal(valid, SenderDomainOptions.TryParseServer(value, out _, out _));
}
