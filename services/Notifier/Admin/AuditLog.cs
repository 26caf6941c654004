using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SalesMind.Notifier.Data;

namespace SalesMind.Notifier.Admin;

/// <summary>Records admin changes (in the transaction of the change) and lists them.</summary>
public static class AuditLog
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Adds an entry to <paramref name="db"/>; it is saved with the change it describes.</summary>
    public static void Add(NotifierDb db, ClaimsPrincipal admin, DateTimeOffset at, string action, string target, object? before, object? after) =>
        db.AuditEntries.Add(new AuditEntry
        {
            At = at,
            Actor = ActorOf(admin),
            Action = action,
            Target = target,
            Before = before is null ? null : JsonSerializer.Serialize(before, Json),
            After = after is null ? null : JsonSerializer.Serialize(after, Json),
        });

    /// <summary>The admin's username (the token's <c>name</c>; its <c>sub</c> is the account id).</summary>
    public static string ActorOf(ClaimsPrincipal admin) =>
        admin.FindFirst(SalesMind.ServiceDefaults.AdminAuth.NameClaim)?.Value ?? admin.FindFirst(SalesMind.ServiceDefaults.AdminAuth.SubjectClaim)?.Value ?? "unknown";

    public sealed record AuditView(long Id, DateTimeOffset At, string Actor, string Action, string Target, JsonElement? Before, JsonElement? After);

    public sealed record AuditPage(List<AuditView> Items, long? NextBefore);

    public static RouteGroupBuilder MapAudit(this RouteGroupBuilder admin)
    {
        admin.MapGet("/audit", ListAsync).WithTags("Audit")
            .WithSummary("List admin changes, newest first")
            .WithDescription("Every change made through the admin API: who, when, what, and the state before and after. " +
                "Filter by `target` (e.g. `template:welcome`, a prefix match) or `action`; page with `before` = the previous page's `next_before`.")
            .WithExample(response: new AuditPage(
                [new AuditView(118, new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero), "admin", "template.version.activated", "template:welcome/en",
                    JsonSerializer.SerializeToElement(new { active_version = 2 }), JsonSerializer.SerializeToElement(new { active_version = 1 }))],
                117));
        return admin;
    }

    internal static async Task<Results<Ok<AuditPage>, ValidationProblem>> ListAsync(
        NotifierDb db, string? target, string? action, long? before, int? limit, CancellationToken ct)
    {
        var take = limit ?? 50;
        if (take is < 1 or > 500)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["limit must be between 1 and 500."] });
        }

        var query = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrEmpty(target))
        {
            query = query.Where(a => a.Target.StartsWith(target));
        }

        if (!string.IsNullOrEmpty(action))
        {
            query = query.Where(a => a.Action == action);
        }

        if (before is { } b)
        {
            query = query.Where(a => a.Id < b);
        }

        var rows = await query.OrderByDescending(a => a.Id).Take(take + 1).ToListAsync(ct);
        var items = rows.Take(take).Select(a => new AuditView(a.Id, a.At, a.Actor, a.Action, a.Target, Parse(a.Before), Parse(a.After))).ToList();
        return TypedResults.Ok(new AuditPage(items, rows.Count > take ? items[^1].Id : null));
    }

    private static JsonElement? Parse(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
}
