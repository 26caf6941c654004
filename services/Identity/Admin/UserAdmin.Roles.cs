using SalesMind.Identity.AdminTokens;
using SalesMind.Identity.Audit;
using SalesMind.ServiceDefaults;

namespace SalesMind.Identity.Admin;

public sealed partial class UserAdmin
{
    /// <summary>The roles an admin may grant: a made-up name would only be a typo nobody notices.</summary>
    public static readonly IReadOnlyList<string> KnownRoles = [AdminAuth.AdminRole];

    /// <summary>
    /// Gives a known role. <c>admin</c> goes only to a verified, active account (an admin token
    /// for an address nobody proved would be a gift to whoever typed it). Granting a role the
    /// account has already changes nothing and is not audited.
    /// </summary>
    public Task<AdminChange> GrantRoleAsync(Guid actorId, Guid id, string role, CancellationToken ct)
    {
        if (!KnownRoles.Contains(role))
        {
            return Task.FromResult(AdminChange.UnknownRole);
        }

        return ChangeAsync(actorId, id, (actor, user, now) =>
        {
            if (user.DeletedAt is not null)
            {
                return Task.FromResult(AdminChange.Deleted);
            }

            if (user.DeactivatedAt is not null)
            {
                return Task.FromResult(AdminChange.Deactivated);
            }

            if (user.EmailVerifiedAt is null || !user.IsActive)
            {
                return Task.FromResult(AdminChange.NotVerified);
            }

            if (!user.Roles.Contains(role))
            {
                var before = new { Roles = user.Roles.ToList() };
                user.Roles = [.. user.Roles, role];
                AccountAudit.Add(db, actor, user.Id, Actions.RoleGranted, before, new { Roles = user.Roles.ToList() }, now);
            }

            return Task.FromResult(AdminChange.Done);
        }, ct);
    }

    /// <summary>
    /// Takes a role (e.g. <c>admin</c>) away; losing <c>admin</c> ends the account's admin tokens on
    /// both services. An admin cannot take their own admin role (another admin does it, so nobody
    /// locks themselves out by a slip), and the last active admin keeps it.
    /// </summary>
    public Task<AdminChange> RemoveRoleAsync(Guid actorId, Guid id, string role, CancellationToken ct) =>
        ChangeAsync(actorId, id, async (actor, user, now) =>
        {
            if (!user.Roles.Contains(role))
            {
                return AdminChange.Done;
            }

            if (role == AdminAuth.AdminRole)
            {
                if (user.Id == actor.Id)
                {
                    return AdminChange.OwnAdminRole;
                }

                if (IsActiveAdmin(user) && !await AnotherActiveAdminAsync(user.Id, ct))
                {
                    return AdminChange.LastAdmin;
                }
            }

            var before = new { Roles = user.Roles.ToList() };
            user.Roles = [.. user.Roles.Where(r => r != role)];
            await AdminTokenRevocation.RevokeAsync(db, id, AdminTokenRevocation.RoleRemoved, now, ct);
            AccountAudit.Add(db, actor, user.Id, Actions.RoleRevoked, before, new { Roles = user.Roles.ToList() }, now);
            return AdminChange.Done;
        }, ct);
}
