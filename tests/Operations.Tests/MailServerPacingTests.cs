using SalesMind.TestSupport;

namespace SalesMind.Operations.Tests;

/// <summary>
/// Per-destination pacing in the shipped Postfix configuration (mailserver/postfix/): every large
/// mailbox provider's domain is mapped to a transport of its own (provider_transport), that
/// transport exists in master.cf as an smtp client and has its limits in main.cf (where the
/// queue manager reads them), the map is used only with MAIL_OUTBOUND=direct, and Postfix accepts
/// the resulting configuration (`postconf -n`, `postfix check`). Works on copies in a temporary
/// directory; nothing of the local stack is touched.
/// </summary>
public sealed class MailServerPacingTests
{
    private static readonly string PostfixDir = Path.Combine(Stack.RepoRoot, "mailserver", "postfix");

    private static readonly Dictionary<string, string> OwnNames = new()
    {
        ["MAIL_DOMAIN"] = "salesmind.test",
        ["MAIL_HOSTNAME"] = "mail.salesmind.test",
        ["BOUNCE_DOMAIN"] = "bounces.salesmind.test",
    };

    public static TheoryData<string> ProviderDomains => new()
    {
        "gmail.com", "googlemail.com",
        "outlook.com", "hotmail.com", "live.com", "msn.com",
        "yahoo.com", "aol.com",
        "icloud.com", "me.com", "mac.com",
        "docomo.ne.jp", "ezweb.ne.jp", "au.com", "softbank.ne.jp", "i.softbank.jp",
        "yahoo.co.jp",
    };

    [Theory]
    [MemberData(nameof(ProviderDomains))]
    public void A_large_providers_domain_goes_through_a_transport_with_its_own_limits(string domain)
    {
        var map = ProviderTransport();

        Assert.True(map.TryGetValue(domain, out var route), $"{domain} is not in mailserver/postfix/provider_transport");
        var (transport, nexthop) = Split(route);
        // The recipient's own MX records, never a hard-coded host that could go stale.
        Assert.Equal("", nexthop);
        Assert.True(MasterServices().TryGetValue(transport, out var command), $"{transport} (for {domain}) is not a master.cf service");
        Assert.Equal("smtp", command);
        Assert.True(MainSettings().ContainsKey($"{transport}_destination_concurrency_limit"), $"main.cf has no {transport}_destination_concurrency_limit");
    }

    [Fact]
    public void Every_pacing_transport_has_limits_postfix_applies_as_meant()
    {
        var main = MainSettings();
        var transports = ProviderTransport().Values.Select(route => Split(route).Transport).Distinct().ToList();
        Assert.NotEmpty(transports);

        foreach (var transport in transports)
        {
            var limit = int.Parse(main[$"{transport}_destination_concurrency_limit"]);
            Assert.InRange(limit, 1, 20);
            Assert.True(main.ContainsKey($"{transport}_destination_rate_delay"), $"main.cf has no {transport}_destination_rate_delay");

            // A recipient limit of 1 would turn every per-domain limit into a per-recipient one.
            var recipients = main.GetValueOrDefault($"{transport}_destination_recipient_limit", main.GetValueOrDefault("default_destination_recipient_limit", "50"));
            Assert.True(int.Parse(recipients) > 1, $"{transport}_destination_recipient_limit is {recipients}");

            // With a rate delay, one refused session must not suspend the whole domain (postconf(5)).
            if (main[$"{transport}_destination_rate_delay"] is not ("0" or "0s"))
            {
                Assert.True(main.TryGetValue($"{transport}_destination_concurrency_failed_cohort_limit", out var cohorts) && int.Parse(cohorts) >= 10,
                    $"{transport} has a rate delay but no failed cohort limit of 10 or more");
            }
        }

        // Limits given as -o options would reach only the smtp client, which ignores them.
        Assert.DoesNotContain(File.ReadAllLines(Path.Combine(PostfixDir, "master.cf")),
            line => line.TrimStart().StartsWith("-o", StringComparison.Ordinal) && line.Contains("_destination_", StringComparison.Ordinal));
    }

    [Fact]
    public void The_shipped_defaults_still_deliver_nothing_outside()
    {
        var main = MainSettings();

        Assert.StartsWith("error:", main["default_transport"]);
        Assert.DoesNotContain("provider_transport", main["transport_maps"]);
    }

    [Theory]
    [InlineData("disabled", false)]
    [InlineData("direct", true)]
    [InlineData("relay", false)]
    public async Task The_providers_map_is_used_only_for_direct_delivery(string outbound, bool used)
    {
        if (!Installed("postconf"))
        {
            return; // Postfix is not installed here: nothing to run the entrypoint against.
        }

        var dir = CopyConfiguration();
        try
        {
            var configure = await ConfigureAsync(dir, outbound);
            Assert.True(configure.ExitCode == 0, configure.ToString());

            var maps = await RunAsync("postconf", ["-c", dir, "-h", "transport_maps"]);
            Assert.True(maps.ExitCode == 0, maps.ToString());
            if (used)
            {
                // The test domains and the bounce domain's route (transport) are looked up first.
                Assert.Equal("texthash:$config_directory/transport, texthash:$config_directory/provider_transport", maps.Output.Trim());
            }
            else
            {
                Assert.Equal("texthash:$config_directory/transport", maps.Output.Trim());
            }
        }
        finally
        {
            await RemoveAsync(dir);
        }
    }

    [Fact]
    public async Task Postfix_accepts_the_direct_delivery_configuration_with_the_pacing_transports()
    {
        if (!Installed("postconf") || !Installed("postfix"))
        {
            return; // Postfix is not installed here.
        }

        var dir = CopyConfiguration();
        var queue = Path.Combine(Path.GetDirectoryName(dir)!, "queue");
        var data = Path.Combine(Path.GetDirectoryName(dir)!, "data");
        var log = Path.Combine(Path.GetDirectoryName(dir)!, "log");
        Directory.CreateDirectory(queue);
        Directory.CreateDirectory(data);
        Directory.CreateDirectory(log);
        try
        {
            var configure = await ConfigureAsync(dir, "direct");
            Assert.True(configure.ExitCode == 0, configure.ToString());
            var paths = await RunAsync("postconf", ["-c", dir, "-e", $"queue_directory={queue}", $"data_directory={data}",
                $"maillog_file={log}/postfix.log", $"maillog_file_prefixes={log}"]);
            Assert.True(paths.ExitCode == 0, paths.ToString());

            // Every setting is known to Postfix (a misspelt one is reported as unused).
            var settings = await RunAsync("postconf", ["-c", dir, "-n"]);
            Assert.True(settings.ExitCode == 0, settings.ToString());
            Assert.DoesNotContain("warning", settings.Output);
            Assert.Contains("smtp-jp-mobile_destination_rate_delay = 1s", settings.Output);

            // `postfix check` wants root (and the configuration owned by root), as in the container.
            if (!await CanRunAsRootAsync())
            {
                return;
            }

            var chown = await AsRootAsync("chown", ["-R", "0:0", dir]);
            Assert.True(chown.ExitCode == 0, chown.ToString());
            var check = await AsRootAsync("postfix", ["-c", dir, "check"]);
            Assert.True(check.ExitCode == 0, check.ToString());
            Assert.DoesNotContain("warning", check.Output);
            Assert.DoesNotContain("fatal", check.Output);
        }
        finally
        {
            await RemoveAsync(dir);
        }
    }

    private static (string Transport, string Nexthop) Split(string route)
    {
        var colon = route.IndexOf(':');
        return colon < 0 ? (route, "") : (route[..colon], route[(colon + 1)..]);
    }

    /// <summary>provider_transport: domain → "transport:nexthop".</summary>
    private static Dictionary<string, string> ProviderTransport() =>
        File.ReadAllLines(Path.Combine(PostfixDir, "provider_transport"))
            .Where(line => line.Length > 0 && !line.StartsWith('#') && !char.IsWhiteSpace(line[0]))
            .Select(line => line.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(parts => parts[0], parts => parts[1].Trim(), StringComparer.OrdinalIgnoreCase);

    /// <summary>master.cf: service name → command (services of type unix only: the transports).</summary>
    private static Dictionary<string, string> MasterServices() =>
        File.ReadAllLines(Path.Combine(PostfixDir, "master.cf"))
            .Where(line => line.Length > 0 && !line.StartsWith('#') && !char.IsWhiteSpace(line[0]))
            .Select(line => line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 8 && fields[1] == "unix")
            .ToDictionary(fields => fields[0], fields => fields[7]);

    /// <summary>main.cf: name → value (the last one wins, as in Postfix).</summary>
    private static Dictionary<string, string> MainSettings()
    {
        var settings = new Dictionary<string, string>();
        foreach (var line in File.ReadAllLines(Path.Combine(PostfixDir, "main.cf")))
        {
            var equals = line.IndexOf('=');
            if (line.Length == 0 || line.StartsWith('#') || char.IsWhiteSpace(line[0]) || equals < 0)
            {
                continue;
            }

            settings[line[..equals].Trim()] = line[(equals + 1)..].Trim();
        }

        return settings;
    }

    private static string CopyConfiguration()
    {
        var dir = Path.Combine(Directory.CreateTempSubdirectory("salesmind-pacing.").FullName, "etc");
        Directory.CreateDirectory(dir);
        foreach (var file in new[] { "main.cf", "master.cf", "transport", "recipient_access", "provider_transport" })
        {
            File.Copy(Path.Combine(PostfixDir, file), Path.Combine(dir, file));
        }

        return dir;
    }

    private static Task<Shell.Result> ConfigureAsync(string dir, string outbound)
    {
        var environment = new Dictionary<string, string>(OwnNames) { ["MAIL_OUTBOUND"] = outbound };
        if (outbound == "relay")
        {
            environment["MAIL_RELAYHOST"] = "[relay.salesmind.test]:587";
        }

        environment["PATH"] = SearchPath;
        return Shell.RunAsync("mailserver/entrypoint.sh", ["configure", dir], environment);
    }

    // Postfix's tools live in /usr/sbin, often not on a user's PATH.
    private static readonly string SearchPath = string.Join(':',
        new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin" }.Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)).Distinct());

    /// <summary>The full path of a tool, or null when it is not installed.</summary>
    private static string? Tool(string name) =>
        SearchPath.Split(':').Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    private static bool Installed(string tool) => Tool(tool) is not null;

    private static Task<Shell.Result> RunAsync(string tool, IEnumerable<string> arguments, IDictionary<string, string>? environment = null) =>
        Shell.RunAsync(Tool(tool) ?? tool, arguments, new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["PATH"] = SearchPath });

    private static async Task<bool> CanRunAsRootAsync() =>
        Environment.IsPrivilegedProcess || (Installed("sudo") && (await RunAsync("sudo", ["-n", "true"])).ExitCode == 0);

    private static Task<Shell.Result> AsRootAsync(string tool, IEnumerable<string> arguments) =>
        Environment.IsPrivilegedProcess ? RunAsync(tool, arguments) : RunAsync("sudo", ["-n", Tool(tool) ?? tool, .. arguments]);

    /// <summary>Removes the temporary directory (as root if `postfix check` handed parts of it to root or postfix).</summary>
    private static async Task RemoveAsync(string dir)
    {
        var parent = Path.GetDirectoryName(dir)!;
        try
        {
            Directory.Delete(parent, recursive: true);
            return;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            // Owned by root now: removed below.
        }

        if (await CanRunAsRootAsync())
        {
            await AsRootAsync("rm", ["-rf", parent]);
        }
    }
}
