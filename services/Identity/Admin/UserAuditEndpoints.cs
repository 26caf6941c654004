using Microsoft.AspNetCore.Http.HttpResults;
using SalesMind.Identity.Web;
using static SalesMind.Identity.Admin.UserAdminViews;

namespace SalesMind.Identity.Admin;

/// <summary>What admins read about an account besides the account itself: its sessions and the audit of changes.</summary>
public static class UserAuditEndpoints
{
    public static RouteGroupBuilder MapUserAudit(this RouteGroupBuilder users)
    {
        users.MapGet("/audit", AllAsync)
            .WithSummary("Every audited change to accounts, newest first, a page at a time")
            .WithDescription("Who (`actor_name`; `system` for the clean-up jobs), when, what (`action`), and the changed fields " +
                "`before` and `after`. `limit` (default 50, at most 200); `after` is the previous page's `next`. Kept when an account " +
                "is deleted (`target_username` is then null).")
            .WithParameterExample("limit", 50)
            .WithExample(response: new AuditPage([Examples.Audit], Examples.Audit.Id.ToString()));
        users.MapGet("/{id:guid}/audit", OneAsync)
            .WithSummary("The audited changes to one account, newest first, a page at a time")
            .WithDescription("As `GET /api/admin/users/audit`, for one account (an empty page for an id that never had one).")
            .WithExample(response: new AuditPage([Examples.Audit], null));
        users.MapGet("/{id:guid}/sessions", SessionsAsync)
            .WithSummary("The account's signed-in browsers that have not expired, the most recently used first")
            .WithDescription("The device (User-Agent at login), the client's address, when it began, was last used and expires. " +
                "Older sessions may lack the device and address.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithExample(response: new[] { Examples.Session })
            .WithExample(response: Examples.NotFound, status: StatusCodes.Status404NotFound);
        return users;
    }

    private static Task<Results<Ok<AuditPage>, ValidationProblem>> AllAsync(UserAdmin accounts, CancellationToken ct, int limit = 50, string? after = null) =>
        PageAsync(accounts, null, limit, after, ct);

    private static Task<Results<Ok<AuditPage>, ValidationProblem>> OneAsync(
        Guid id, UserAdmin accounts, CancellationToken ct, int limit = 50, string? after = null) =>
        PageAsync(accounts, id, limit, after, ct);

    private static async Task<Results<Ok<AuditPage>, ValidationProblem>> PageAsync(
        UserAdmin accounts, Guid? target, int limit, string? after, CancellationToken ct)
    {
        Guid? cursor = null;
        if (after is not null)
        {
            if (!Guid.TryParse(after, out var parsed))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["after"] = ["Use the 'next' value of the previous page."] });
            }

            cursor = parsed;
        }

        var (rows, next) = await accounts.AuditAsync(target, limit, cursor, ct);
        return TypedResults.Ok(new AuditPage(rows.Select(View).ToList(), next?.ToString()));
    }

    private static async Task<Results<Ok<List<SessionView>>, ProblemHttpResult>> SessionsAsync(Guid id, UserAdmin accounts, CancellationToken ct) =>
        await accounts.SessionsAsync(id, ct) is { } sessions
            ? TypedResults.Ok(sessions.Select(View).ToList())
            : UserAdminEndpoints.NotFoundProblem(id, null);
}
