using Microsoft.AspNetCore.Http.HttpResults;
using SalesMind.Identity.Web;
using static SalesMind.Identity.Admin.UserAdminViews;

namespace SalesMind.Identity.Admin;

/// <summary>
/// Admins look after accounts (<see cref="UserAdmin"/>): finding and reading them here, the
/// changes in <see cref="UserChangeEndpoints"/>, sessions and the audit in <see cref="UserAuditEndpoints"/>.
/// </summary>
public static class UserAdminEndpoints
{
    /// <summary>Maps <c>users</c> endpoints into <paramref name="admin"/>, a group that already requires an admin.</summary>
    public static RouteGroupBuilder MapUserAdmin(this RouteGroupBuilder admin)
    {
        var users = admin.MapGroup("/users").WithTags("Users (admin)");
        users.MapGet("/", ListAsync)
            .WithSummary("Accounts, newest first, a page at a time")
            .WithDescription("`q` matches the start of the username or email address; `status` is `verified`, `unverified`, `locked` " +
                "(too many wrong passwords, for now) or `deactivated` (verified and unverified leave deactivated accounts out); " +
                "`verified` (true/false) filters on verification alone; `limit` (default 50, at most 200) per page; `after` is the " +
                "`next` of the previous page (null on the last).")
            .WithParameterExample("q", "hanako").WithParameterExample("status", "verified").WithParameterExample("limit", 50)
            .WithExample(response: new UserPage([Examples.User, Examples.Pending], Examples.Pending.Id.ToString()))
            .WithExample(response: ApiDocs.Problem(StatusCodes.Status400BadRequest, "One or more validation errors occurred.",
                errors: new Dictionary<string, string[]> { ["status"] = ["Use verified, unverified, locked or deactivated."] }), status: StatusCodes.Status400BadRequest);
        users.MapGet("/{id:guid}", GetAsync)
            .WithSummary("One account, with its profile, roles, lock and the latest delivery report for its address")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithExample(response: Examples.User).WithExample(response: Examples.NotFound, status: StatusCodes.Status404NotFound);
        users.MapUserChanges();
        users.MapUserAudit();
        return admin;
    }

    /// <summary>
    /// Newest first, <paramref name="limit"/> at a time; <c>next</c> is the cursor of the following
    /// page. <paramref name="q"/> matches the start of the username or address; <paramref name="status"/>
    /// and <paramref name="verified"/> filter.
    /// </summary>
    private static async Task<Results<Ok<UserPage>, ValidationProblem>> ListAsync(
        UserAdmin accounts, CancellationToken ct, string? q = null, string? status = null, bool? verified = null, int limit = 50, string? after = null)
    {
        var errors = new Dictionary<string, string[]>();
        Guid? cursor = null;
        if (after is not null)
        {
            if (Guid.TryParse(after, out var parsed))
            {
                cursor = parsed;
            }
            else
            {
                errors["after"] = ["Use the 'next' value of the previous page."];
            }
        }

        AccountStatus? wanted = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (Enum.TryParse<AccountStatus>(status, ignoreCase: true, out var parsed) && !int.TryParse(status, out _))
            {
                wanted = parsed;
            }
            else
            {
                errors["status"] = ["Use verified, unverified, locked or deactivated."];
            }
        }

        // Nothing stored holds a control character, and PostgreSQL refuses a NUL outright.
        if (q is not null && (q.Length > 254 || q.Any(char.IsControl)))
        {
            errors["q"] = ["Search with the start of a username or address (at most 254 characters, no control characters)."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var page = await accounts.ListAsync(q, wanted, verified, limit, cursor, ct);
        return TypedResults.Ok(new UserPage(page.Users.Select(u => View(u, page.States)).ToList(), page.Next?.ToString()));
    }

    private static async Task<Results<Ok<UserView>, ProblemHttpResult>> GetAsync(Guid id, UserAdmin accounts, CancellationToken ct) =>
        await accounts.GetAsync(id, ct) is { Users: [var user] } page ? TypedResults.Ok(View(user, page.States)) : NotFoundProblem(id, null);

    // TypedResults.Problem, not NotFound(new ProblemDetails): the answer is application/problem+json.
    internal static ProblemHttpResult NotFoundProblem(Guid id, string? lang) =>
        TypedResults.Problem(Messages.Pick(Messages.LocaleOf(lang), $"ユーザー {id} は存在しません。", $"There is no user {id}."),
            statusCode: StatusCodes.Status404NotFound, title: "No such user");
}
