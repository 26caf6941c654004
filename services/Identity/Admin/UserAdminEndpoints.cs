using Microsoft.AspNetCore.Http.HttpResults;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.AddressStates;
using SalesMind.Identity.Web;

namespace SalesMind.Identity.Admin;

/// <summary>Admins look after accounts (<see cref="UserAdmin"/>).</summary>
public static class UserAdminEndpoints
{
    public sealed record ProfileView(string Industry, string? SalesExperience, string? Purpose, string Locale);

    /// <summary>The latest delivery report for the address (from the Notifier's events).</summary>
    public sealed record EmailDeliveryView(string Status, string Template, string? Diagnostic, DateTimeOffset At);

    public sealed record UserView(
        Guid Id, string Username, string Email, bool IsActive, DateTimeOffset? EmailVerifiedAt, DateTimeOffset CreatedAt,
        IReadOnlyList<string> Roles, DateTimeOffset? LockedUntil, ProfileView? Profile, EmailDeliveryView? EmailDelivery,
        DateTimeOffset? DeactivatedAt);

    public sealed record UserPage(IReadOnlyList<UserView> Users, string? Next);

    /// <summary>Maps <c>users</c> endpoints into <paramref name="admin"/>, a group that already requires an admin.</summary>
    public static RouteGroupBuilder MapUserAdmin(this RouteGroupBuilder admin)
    {
        var users = admin.MapGroup("/users").WithTags("Users (admin)");
        var id = Guid.Parse("0193f4a2-7c1e-7d40-9a51-3c2b1f0e9d88");
        var at = new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
        var user = new UserView(id, "hanako_sato", "hanako@example.com", true, at.AddMinutes(5), at, ["user"], null,
            new ProfileView("software", "3_5", "Close more renewals", "ja"), new EmailDeliveryView("delivered", "email-verification", "250 2.0.0 Ok", at.AddMinutes(1)), null);
        var notFound = ApiDocs.Problem(StatusCodes.Status404NotFound, "No such user", $"There is no user {id}.");
        users.MapGet("/", ListAsync)
            .WithSummary("Accounts, newest first, a page at a time")
            .WithDescription("`q` matches the start of the username or email address; `verified` filters on verification; `limit` " +
                "(default 50) per page; `after` is the `next` of the previous page (null on the last).")
            .WithParameterExample("q", "hanako").WithParameterExample("verified", true).WithParameterExample("limit", 50)
            .WithExample(response: new UserPage([user, user with { Id = Guid.Parse("0193f4a1-0000-7000-8000-0000000000b2"), Username = "taro_yamada",
                Email = "taro@example.com", EmailVerifiedAt = null, EmailDelivery = null, Profile = new ProfileView("retail", null, null, "en") }], "0193f4a1-0000-7000-8000-0000000000b2"))
            .WithExample(response: ApiDocs.Problem(StatusCodes.Status400BadRequest, "One or more validation errors occurred.",
                errors: new Dictionary<string, string[]> { ["after"] = ["Use the 'next' value of the previous page."] }), status: StatusCodes.Status400BadRequest);
        users.MapGet("/{id:guid}", GetAsync)
            .WithSummary("One account, with its profile, roles, lock and the latest delivery report for its address")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithExample(response: user).WithExample(response: notFound, status: StatusCodes.Status404NotFound);
        users.MapPost("/{id:guid}/resend-verification", ResendAsync)
            .WithSummary("Email the account a new verification link")
            .WithDescription("409 when the account is deactivated or already verified.")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .WithExample(response: ApiDocs.Problem(StatusCodes.Status409Conflict, "Already verified", $"User {id} verified their address already."),
                status: StatusCodes.Status409Conflict);
        users.MapPost("/{id:guid}/deactivate", DeactivateAsync)
            .WithSummary("Deactivate an account: it can no longer log in, its sessions and admin tokens stop working")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithExample(response: notFound, status: StatusCodes.Status404NotFound);
        users.MapDelete("/{id:guid}/roles/{role}", RemoveRoleAsync)
            .WithSummary("Take a role (e.g. `admin`) from an account; its admin tokens stop working")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithParameterExample("role", "admin")
            .WithExample(response: notFound, status: StatusCodes.Status404NotFound);
        return admin;
    }

    /// <summary>
    /// Newest first, <paramref name="limit"/> at a time; <c>next</c> is the cursor of the following
    /// page. <paramref name="q"/> matches the start of the username or address; <paramref name="verified"/> filters on verification.
    /// </summary>
    private static async Task<Results<Ok<UserPage>, ValidationProblem>> ListAsync(
        UserAdmin accounts, CancellationToken ct, string? q = null, bool? verified = null, int limit = 50, string? after = null)
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

        var page = await accounts.ListAsync(q, verified, limit, cursor, ct);
        return TypedResults.Ok(new UserPage(page.Users.Select(u => View(u, page.States)).ToList(), page.Next?.ToString()));
    }

    private static async Task<Results<Ok<UserView>, ProblemHttpResult>> GetAsync(Guid id, UserAdmin accounts, CancellationToken ct) =>
        await accounts.GetAsync(id, ct) is { Users: [var user] } page ? TypedResults.Ok(View(user, page.States)) : NotFoundProblem(id);

    private static async Task<Results<Accepted, ProblemHttpResult>> ResendAsync(Guid id, UserAdmin accounts, CancellationToken ct) =>
        await accounts.ResendVerificationAsync(id, ct) switch
        {
            AdminChange.Done => TypedResults.Accepted((string?)null),
            AdminChange.Deactivated => TypedResults.Problem($"User {id} is deactivated; no link is sent for it.", statusCode: StatusCodes.Status409Conflict, title: "Deactivated"),
            AdminChange.AlreadyVerified => TypedResults.Problem($"User {id} verified their address already.", statusCode: StatusCodes.Status409Conflict, title: "Already verified"),
            _ => NotFoundProblem(id),
        };

    private static async Task<Results<NoContent, ProblemHttpResult>> DeactivateAsync(Guid id, UserAdmin accounts, CancellationToken ct) =>
        await accounts.DeactivateAsync(id, ct) == AdminChange.Done ? TypedResults.NoContent() : NotFoundProblem(id);

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveRoleAsync(Guid id, string role, UserAdmin accounts, CancellationToken ct) =>
        await accounts.RemoveRoleAsync(id, role, ct) == AdminChange.Done ? TypedResults.NoContent() : NotFoundProblem(id);

    private static UserView View(User u, IReadOnlyDictionary<string, EmailAddressState> states) => new(
        u.Id, u.Username, u.Email, u.IsActive, u.EmailVerifiedAt, u.CreatedAt, u.Roles, u.LockedUntil,
        u.Profile is null ? null : new ProfileView(u.Profile.Industry, u.Profile.SalesExperience, u.Profile.Purpose, u.Profile.Locale),
        states.TryGetValue(u.NormalizedEmail, out var s) ? new EmailDeliveryView(s.Status, s.Template, s.Diagnostic, s.OccurredAt) : null,
        u.DeactivatedAt);

    // TypedResults.Problem, not NotFound(new ProblemDetails): the answer is application/problem+json.
    private static ProblemHttpResult NotFoundProblem(Guid id) =>
        TypedResults.Problem($"There is no user {id}.", statusCode: StatusCodes.Status404NotFound, title: "No such user");
}
