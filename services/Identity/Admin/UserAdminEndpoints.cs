using Microsoft.AspNetCore.Http.HttpResults;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.AddressStates;

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
        var users = admin.MapGroup("/users");
        users.MapGet("/", ListAsync);
        users.MapGet("/{id:guid}", GetAsync);
        users.MapPost("/{id:guid}/resend-verification", ResendAsync);
        users.MapPost("/{id:guid}/deactivate", DeactivateAsync);
        users.MapDelete("/{id:guid}/roles/{role}", RemoveRoleAsync);
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
