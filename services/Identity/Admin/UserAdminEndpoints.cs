using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.AddressStates;
using SalesMind.Identity.AdminTokens;
using SalesMind.Identity.Data;
using SalesMind.Identity.Verification;

namespace SalesMind.Identity.Admin;

/// <summary>Admins look after accounts: find them, see their state, resend a verification, deactivate.</summary>
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
    /// page (keyset: stable while accounts are being created). <paramref name="q"/> matches the
    /// start of the username or address; <paramref name="verified"/> filters on verification.
    /// </summary>
    private static async Task<Results<Ok<UserPage>, ValidationProblem>> ListAsync(
        IdentityDb db, CancellationToken ct, string? q = null, bool? verified = null, int limit = 50, string? after = null)
    {
        var query = db.Users.AsNoTracking().Include(u => u.Profile).AsQueryable();
        if (!string.IsNullOrWhiteSpace(q))
        {
            var prefix = q.Trim().ToLowerInvariant();
            query = query.Where(u => u.NormalizedUsername.StartsWith(prefix) || u.NormalizedEmail.StartsWith(prefix));
        }

        if (verified is { } v)
        {
            query = v ? query.Where(u => u.EmailVerifiedAt != null) : query.Where(u => u.EmailVerifiedAt == null);
        }

        if (after is not null)
        {
            if (!Guid.TryParse(after, out var cursor))
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["after"] = ["Use the 'next' value of the previous page."] });
            }

            // Ids are version-7 GUIDs: ordered by creation time.
            query = query.Where(u => u.Id.CompareTo(cursor) < 0);
        }

        limit = Math.Clamp(limit, 1, 200);
        var page = await query.OrderByDescending(u => u.Id).Take(limit + 1).ToListAsync(ct);
        var next = page.Count > limit ? page[limit - 1].Id.ToString() : null;
        var shown = page.Take(limit).ToList();
        var states = await StatesAsync(db, shown.Select(u => u.NormalizedEmail), ct);
        return TypedResults.Ok(new UserPage(shown.Select(u => View(u, states)).ToList(), next));
    }

    private static async Task<Results<Ok<UserView>, ProblemHttpResult>> GetAsync(Guid id, IdentityDb db, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().Include(u => u.Profile).SingleOrDefaultAsync(u => u.Id == id, ct);
        return user is null ? NotFoundProblem(id) : TypedResults.Ok(View(user, await StatesAsync(db, [user.NormalizedEmail], ct)));
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> ResendAsync(
        Guid id, IdentityDb db, IOptions<AccountOptions> options, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = await db.Users.Include(u => u.Profile).SingleOrDefaultAsync(u => u.Id == id, ct);
        if (user is null)
        {
            return NotFoundProblem(id);
        }

        if (user.DeactivatedAt is not null)
        {
            return TypedResults.Problem($"User {id} is deactivated; no link is sent for it.", statusCode: StatusCodes.Status409Conflict, title: "Deactivated");
        }

        if (user.EmailVerifiedAt is not null)
        {
            return TypedResults.Problem($"User {id} verified their address already.", statusCode: StatusCodes.Status409Conflict, title: "Already verified");
        }

        await VerificationMail.RevokeAsync(db, user.Id, now, ct);
        VerificationMail.Add(db, user, user.Profile?.Locale ?? "ja", options.Value, now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Accepted((string?)null);
    }

    /// <summary>
    /// The account can no longer log in; its sessions and admin tokens end now. Pending or
    /// verified, it stays so whatever link is opened later (each link checks <c>deactivated_at</c>,
    /// not just <c>is_active</c>, which also means "not verified yet"). Deactivating again keeps the first time.
    /// </summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> DeactivateAsync(
        Guid id, IdentityDb db, AdminAccountCheck adminCheck, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var updated = await db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(set => set
            .SetProperty(u => u.IsActive, false)
            .SetProperty(u => u.DeactivatedAt, u => u.DeactivatedAt ?? now), ct);
        if (updated == 0)
        {
            return NotFoundProblem(id);
        }

        await db.Sessions.Where(s => s.UserId == id).ExecuteDeleteAsync(ct);
        await AdminTokenRevocation.RevokeAsync(db, id, AdminTokenRevocation.Deactivated, time.GetUtcNow(), ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        adminCheck.Forget(id);
        return TypedResults.NoContent();
    }

    /// <summary>Takes a role (e.g. <c>admin</c>) away; losing <c>admin</c> ends the account's admin tokens on both services.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveRoleAsync(
        Guid id, string role, IdentityDb db, AdminAccountCheck adminCheck, TimeProvider time, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = await db.Users.FromSql($"SELECT * FROM users WHERE id = {id} FOR UPDATE").SingleOrDefaultAsync(ct);
        if (user is null)
        {
            return NotFoundProblem(id);
        }

        if (user.Roles.Contains(role))
        {
            user.Roles = [.. user.Roles.Where(r => r != role)];
            await AdminTokenRevocation.RevokeAsync(db, id, AdminTokenRevocation.RoleRemoved, time.GetUtcNow(), ct);
            await db.SaveChangesAsync(ct);
        }

        await tx.CommitAsync(ct);
        adminCheck.Forget(id);
        return TypedResults.NoContent();
    }

    private static async Task<Dictionary<string, EmailAddressState>> StatesAsync(IdentityDb db, IEnumerable<string> emails, CancellationToken ct)
    {
        var keys = emails.ToList();
        return await db.AddressStates.AsNoTracking().Where(s => keys.Contains(s.NormalizedEmail)).ToDictionaryAsync(s => s.NormalizedEmail, ct);
    }

    private static UserView View(User u, Dictionary<string, EmailAddressState> states) => new(
        u.Id, u.Username, u.Email, u.IsActive, u.EmailVerifiedAt, u.CreatedAt, u.Roles, u.LockedUntil,
        u.Profile is null ? null : new ProfileView(u.Profile.Industry, u.Profile.SalesExperience, u.Profile.Purpose, u.Profile.Locale),
        states.TryGetValue(u.NormalizedEmail, out var s) ? new EmailDeliveryView(s.Status, s.Template, s.Diagnostic, s.OccurredAt) : null,
        u.DeactivatedAt);

    // TypedResults.Problem, not NotFound(new ProblemDetails): the answer is application/problem+json.
    private static ProblemHttpResult NotFoundProblem(Guid id) =>
        TypedResults.Problem($"There is no user {id}.", statusCode: StatusCodes.Status404NotFound, title: "No such user");
}
