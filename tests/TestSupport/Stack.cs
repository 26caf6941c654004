namespace SalesMind.TestSupport;

/// <summary>
/// Where the local stack's real parts listen (see the <c>stack</c> script). Every value can be
/// overridden by an environment variable, e.g. to point the tests at other servers.
/// </summary>
public static class Stack
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string PostgresAdmin { get; } = Env("SALESMIND_TEST_POSTGRES", "Host=127.0.0.1;Port=5433;Username=postgres;Database=postgres");

    public static string RabbitHost { get; } = Env("SALESMIND_TEST_RABBIT_HOST", "127.0.0.1");

    public static ushort RabbitPort { get; } = ushort.Parse(Env("SALESMIND_TEST_RABBIT_PORT", "5673"));

    public static string RabbitManagement { get; } = Env("SALESMIND_TEST_RABBIT_MANAGEMENT", "http://127.0.0.1:15673");

    public static string SmtpHost { get; } = Env("SALESMIND_TEST_SMTP_HOST", "127.0.0.1");

    public static int SmtpPort { get; } = int.Parse(Env("SALESMIND_TEST_SMTP_PORT", "2525"));

    public static string FrontDoor { get; } = Env("SALESMIND_TEST_FRONT_DOOR", "http://127.0.0.1:8080");

    public static string Maildir { get; } = Env("SALESMIND_TEST_MAILDIR", Path.Combine(RepoRoot, ".stack", "mail"));

    /// <summary>The stack's Postfix log, which the Notifier reads to settle in-doubt deliveries.</summary>
    public static string PostfixLog { get; } = Env("SALESMIND_TEST_POSTFIX_LOG", Path.Combine(RepoRoot, ".stack", "logs", "postfix.log"));

    /// <summary>The stack's own databases, for end-to-end checks of what the running services stored.</summary>
    public static string IdentityDatabase { get; } = Env("SALESMIND_TEST_IDENTITY_DB", "Host=127.0.0.1;Port=5433;Username=postgres;Database=salesmind_identity");

    public static string NotifierDatabase { get; } = Env("SALESMIND_TEST_NOTIFIER_DB", "Host=127.0.0.1;Port=5433;Username=postgres;Database=salesmind_notifier");

    /// <summary>The stack's test resolver (ops/stack/test-resolver.py), <c>host:port</c>, UDP and TCP.</summary>
    public static string DnsServer { get; } = Env("SALESMIND_TEST_DNS", "127.0.0.1:5354");

    /// <summary>The test resolver's zone files (every <c>*.zone</c>, read on each question): a test writes a file of its own.</summary>
    public static string DnsZones { get; } = Env("SALESMIND_TEST_DNS_ZONES", Path.Combine(RepoRoot, ".stack", "dns"));

    /// <summary>The stack's DKIM key directory (as OpenDKIM's); <c>public/</c> holds what the Notifier compares with.</summary>
    public static string DkimKeys { get; } = Env("SALESMIND_TEST_DKIM", Path.Combine(RepoRoot, ".stack", "dkim"));

    /// <summary>An address on the stack's mail domain that no other test uses.</summary>
    public static string NewMailbox(string prefix) => $"{prefix}-{Guid.NewGuid():N}@mail.test";

    private static string Env(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;

    private static string FindRepoRoot()
    {
        if (Environment.GetEnvironmentVariable("SALESMIND_REPO_ROOT") is { Length: > 0 } root)
        {
            return root;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SalesMind.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("SalesMind.sln not found above the test binaries; set SALESMIND_REPO_ROOT.");
    }
}
