using System.Security.Cryptography;
using SalesMind.TestSupport;

namespace SalesMind.Operations.Tests;

/// <summary>
/// ops/dkim-rotate's stages, in order and out of order, on an OpenDKIM key directory of the
/// test's own and a zone file of its own that the stack's test resolver serves: the new record is
/// seen in real DNS before the switch, the switch rewrites OpenDKIM's tables and reloads, and the
/// old key goes only after its grace period.
/// </summary>
public sealed class DkimRotateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dkim-rotate-").FullName;
    private readonly string _domain = $"rot-{Guid.NewGuid():N}"[..16] + ".salesmind.test";
    private readonly string _zone = Path.Combine(Stack.DnsZones, $"dkim-rotate-{Guid.NewGuid():N}.zone");

    private string Keys => Path.Combine(_dir, "keys");

    private string Reloaded => Path.Combine(_dir, "reloaded");

    public void Dispose()
    {
        File.Delete(_zone);
        Directory.Delete(_dir, recursive: true);
    }

    private Task<Shell.Result> Rotate(params string[] args) =>
        Shell.RunAsync("ops/dkim-rotate",
            ["--keys", Keys, "--zone", _zone, "--dns-server", Stack.DnsServer, "--reload", $"touch '{Reloaded}'", .. args],
            timeout: TimeSpan.FromMinutes(1));

    private static void Ok(Shell.Result result) => Assert.True(result.ExitCode == 0, result.ToString());

    private static void Refused(Shell.Result result, string message)
    {
        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.Contains(message, result.Output);
    }

    private string KeyTable() => File.ReadAllText(Path.Combine(Keys, "KeyTable"));

    private string SigningTable() => File.ReadAllText(Path.Combine(Keys, "SigningTable"));

    private static string PublicKey(string privateKeyFile)
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(privateKeyFile));
        return Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public async Task A_rotation_publishes_waits_switches_and_retires_and_every_stage_can_run_twice()
    {
        Ok(await Rotate("init", "--domain", _domain, "--selector", "s1"));
        Assert.StartsWith($"s1._domainkey.{_domain} {_domain}:s1:", KeyTable());

        var published = await Rotate("publish");
        Ok(published);
        Assert.Contains($"name:  s2._domainkey.{_domain}", published.Output);
        Assert.Contains($"p={PublicKey(Path.Combine(Keys, "s2.private"))}", published.Output);
        // The old key keeps signing until the switch.
        Assert.Contains(":s1:", KeyTable());
        var again = await Rotate("publish");
        Ok(again);
        Assert.Contains("already published: new selector s2", again.Output);

        // The record is in the zone file the stack's resolver serves: wait sees it through DNS.
        var waited = await Rotate("--timeout", "30", "wait");
        Ok(waited);
        Assert.Contains("is published with the new key", waited.Output);

        Assert.False(File.Exists(Reloaded));
        Ok(await Rotate("switch"));
        Assert.True(File.Exists(Reloaded), "switch did not run the reload command");
        Assert.StartsWith($"s2._domainkey.{_domain} {_domain}:s2:{Path.Combine(Keys, "s2.private")}", KeyTable());
        Assert.Contains($"*@{_domain} s2._domainkey.{_domain}", SigningTable());
        Assert.Equal("s2", File.ReadAllText(Path.Combine(Keys, "public", "signing-selector")).Trim());
        Assert.Contains("already switched", (await Rotate("switch")).Output);

        // The old key and its record stay through the grace period.
        Refused(await Rotate("retire"), "too early: the old key s1 may still be checked until");
        Assert.True(File.Exists(Path.Combine(Keys, "s1.private")));
        Assert.Contains($"s1._domainkey.{_domain}", File.ReadAllText(_zone));

        var retired = await Rotate("--grace-days", "0", "retire");
        Ok(retired);
        Assert.False(File.Exists(Path.Combine(Keys, "s1.private")));
        Assert.False(File.Exists(Path.Combine(Keys, "public", "s1.txt")));
        Assert.DoesNotContain($"s1._domainkey.{_domain}", File.ReadAllText(_zone));
        Assert.Contains($"s2._domainkey.{_domain}", File.ReadAllText(_zone));
        Assert.Contains("nothing to retire", (await Rotate("retire")).Output);

        // The next rotation goes on from s2.
        Ok(await Rotate("publish"));
        Assert.True(File.Exists(Path.Combine(Keys, "s3.private")));
    }

    [Fact]
    public async Task Switch_is_refused_while_dns_does_not_show_the_new_key()
    {
        Ok(await Rotate("init", "--domain", _domain, "--selector", "s1"));
        Ok(await Rotate("publish", "--selector", "next"));

        // Somebody pasted another key (or a truncated one) at the new name.
        using var other = RSA.Create(2048);
        File.WriteAllText(_zone, $"next._domainkey.{_domain} TXT \"v=DKIM1; k=rsa; p={Convert.ToBase64String(other.ExportSubjectPublicKeyInfo())}\"\n");

        Refused(await Rotate("--timeout", "0", "wait"), "shows a different key");
        Refused(await Rotate("switch"), "is not in DNS with the new key yet");
        Assert.Contains(":s1:", KeyTable());
        Assert.False(File.Exists(Reloaded));

        File.WriteAllText(_zone, "");
        Refused(await Rotate("--timeout", "0", "wait"), "still shows no DKIM record");
    }

    [Fact]
    public async Task Stages_out_of_order_say_what_to_do_and_change_nothing()
    {
        Refused(await Rotate("publish"), "no KeyTable");
        Ok(await Rotate("init", "--domain", _domain, "--selector", "s1"));
        Refused(await Rotate("wait"), "no rotation under way");
        Refused(await Rotate("switch"), "no rotation under way");
        Assert.Contains("nothing to retire", (await Rotate("retire")).Output);
        Ok(await Rotate("publish"));
        Refused(await Rotate("publish", "--selector", "other"), "a rotation to s2 is already under way");
        Refused(await Rotate("retire"), "s2 is not switched to yet");
        Refused(await Rotate("nonsense"), "unknown argument 'nonsense'");
    }

    [Fact]
    public async Task Help_names_every_stage()
    {
        var help = await Shell.RunAsync("ops/dkim-rotate", ["--help"]);

        Ok(help);
        foreach (var stage in new[] { "publish", "wait", "switch", "retire" })
        {
            Assert.Contains($"  {stage}", help.Output);
        }
    }

    [Fact]
    public async Task New_private_keys_are_readable_by_their_owner_only()
    {
        Ok(await Rotate("init", "--domain", _domain, "--selector", "s1"));
        Ok(await Rotate("publish"));

        var mode = await Shell.RunAsync("stat", ["-c", "%a", Path.Combine(Keys, "s2.private")]);
        Assert.Equal("600", mode.Output.Trim());
    }
}
