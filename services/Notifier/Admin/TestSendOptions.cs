using System.ComponentModel.DataAnnotations;

namespace SalesMind.Notifier.Admin;

/// <summary>
/// Limits on admins' test sends (section <c>Notifier</c>): a stolen admin token must not become a
/// DKIM-signed relay that mails anyone, as often as it likes.
/// </summary>
public sealed class TestSendOptions
{
    public const string Section = "Notifier";

    /// <summary>Test sends one admin may make in any hour (counted in the audit log, so across every instance).</summary>
    [Range(1, 10_000, ErrorMessage = "Notifier:TestSendsPerHour must be between 1 and 10000.")]
    public int TestSendsPerHour { get; set; } = 20;

    /// <summary>
    /// Domains test sends may go to (e.g. the team's own, <c>example.com</c>; subdomains are not
    /// included unless named as <c>*.example.com</c>, which allows the subdomains only). Besides
    /// these, an admin may always test-send to the address in their own token.
    /// </summary>
    public List<string> TestSendAllowedDomains { get; set; } = [];

    /// <summary>Whether <paramref name="to"/> (a bare address) may receive a test send from the admin whose own address is <paramref name="own"/>.</summary>
    public bool Allows(string to, string? own)
    {
        if (own is not null && string.Equals(to, own.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var domain = to[(to.LastIndexOf('@') + 1)..];
        return TestSendAllowedDomains.Select(d => d.Trim().TrimStart('@')).Any(d => d.StartsWith("*.", StringComparison.Ordinal)
            ? domain.Length > d.Length - 1 && domain.EndsWith(d[1..], StringComparison.OrdinalIgnoreCase)
            : string.Equals(d, domain, StringComparison.OrdinalIgnoreCase));
    }
}
