using Microsoft.AspNetCore.Http.HttpResults;
using SalesMind.Notifier.DomainHealth;

namespace SalesMind.Notifier.Admin;

/// <summary>The sender domains' SPF, DKIM and DMARC records as published, checked against the mail server's addresses and key.</summary>
public static class DomainHealthEndpoints
{
    public static RouteGroupBuilder MapDomainHealth(this RouteGroupBuilder admin)
    {
        var health = admin.MapGroup("/domain-health").WithTags("Domain health");
        health.MapGet("/", GetAsync)
            .WithSummary("SPF, DKIM and DMARC of each sender domain, each ok / warn / fail with the reason (checked at most every DomainHealth:CacheFor)")
            .WithExample(response: Example);
        health.MapPost("/check", CheckAsync)
            .WithSummary("Check every sender domain again now (after publishing or changing a record)")
            .WithExample(response: Example);
        return admin;
    }

    internal static async Task<Ok<DomainHealthReport>> GetAsync(SenderDomainHealth health, CancellationToken ct) =>
        TypedResults.Ok(await health.GetAsync(now: false, ct));

    internal static async Task<Ok<DomainHealthReport>> CheckAsync(SenderDomainHealth health, CancellationToken ct) =>
        TypedResults.Ok(await health.GetAsync(now: true, ct));

    private static readonly DomainHealthReport Example = new(
        new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 30, 9, 5, 0, TimeSpan.Zero),
        "127.0.0.1:53", ["203.0.113.10"], "dmarc@bounces.salesmind.example",
        [
            new SenderDomainResult("salesmind.example", ["no-reply@salesmind.example"], CheckStatus.Warn,
                DomainCheck.Ok("one SPF record; it authorizes 203.0.113.10 and ends in -all", ["v=spf1 ip4:203.0.113.10 -all"],
                    ["all qualifier: -all (everything else fails)", "203.0.113.10: pass — ip4:203.0.113.10 in salesmind.example's record"]),
                DomainCheck.Ok("s1: s1._domainkey.salesmind.example publishes the mail server's key (3f2a9c0d81e4b7a6)",
                    ["v=DKIM1; h=sha256; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA…"],
                    ["signing selector s1: ok — s1._domainkey.salesmind.example publishes the mail server's key (3f2a9c0d81e4b7a6)"]),
                DomainCheck.Warn("p=none: receivers are only asked to report, not to act on mail that fails (tighten to quarantine, then reject, once the reports are clean)",
                    ["v=DMARC1; p=none; rua=mailto:dmarc@bounces.salesmind.example"],
                    ["policy p=none", "alignment: DKIM relaxed, SPF relaxed", "aggregate reports (rua) to dmarc@bounces.salesmind.example"])),
        ]);
}
