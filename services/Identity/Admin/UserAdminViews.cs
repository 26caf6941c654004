using System.Text.Json;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.AddressStates;
using SalesMind.Identity.Web;

namespace SalesMind.Identity.Admin;

/// <summary>What the users API answers, and the examples the API reference shows.</summary>
public static class UserAdminViews
{
    public sealed record ProfileView(string Industry, string? SalesExperience, string? Purpose, string Locale);

    /// <summary>
    /// The latest delivery report for the address (from the Notifier's events); for a failure its
    /// class (<c>hard</c>, <c>soft</c>, <c>throttled</c>, <c>auth</c>, <c>unknown</c>), null otherwise.
    /// </summary>
    public sealed record EmailDeliveryView(string Status, string Template, string? Diagnostic, DateTimeOffset At, string? FailureClass = null);

    public sealed record UserView(
        Guid Id, string Username, string Email, bool IsActive, DateTimeOffset? EmailVerifiedAt, DateTimeOffset CreatedAt,
        IReadOnlyList<string> Roles, DateTimeOffset? LockedUntil, ProfileView? Profile, EmailDeliveryView? EmailDelivery,
        DateTimeOffset? DeactivatedAt, DateTimeOffset? DeletedAt = null);

    public sealed record UserPage(IReadOnlyList<UserView> Users, string? Next);

    /// <summary>A signed-in browser of the account (the device as its User-Agent said at login).</summary>
    public sealed record SessionView(
        Guid Id, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset LastSeenAt, string? UserAgent, string? ClientAddress);

    /// <summary>One audited change: who (<c>actor_name</c>, <c>system</c> for the clean-up jobs), when, what, the changed fields before and after.</summary>
    public sealed record AuditEntryView(
        Guid Id, DateTimeOffset At, Guid? ActorId, string ActorName, Guid TargetUserId, string? TargetUsername, string Action,
        JsonElement? Before, JsonElement? After);

    public sealed record AuditPage(IReadOnlyList<AuditEntryView> Entries, string? Next);

    public static UserView View(User u, IReadOnlyDictionary<string, EmailAddressState> states) => new(
        u.Id, u.Username, u.Email, u.IsActive, u.EmailVerifiedAt, u.CreatedAt, u.Roles, u.LockedUntil,
        u.Profile is null ? null : View(u.Profile),
        states.TryGetValue(u.NormalizedEmail, out var s) ? new EmailDeliveryView(s.Status, s.Template, s.Diagnostic, s.OccurredAt, s.FailureClass) : null,
        u.DeactivatedAt, u.DeletedAt);

    public static ProfileView View(UserProfile p) => new(p.Industry, p.SalesExperience, p.Purpose, p.Locale);

    public static SessionView View(Session s) => new(s.Id, s.CreatedAt, s.ExpiresAt, s.LastSeenAt, s.UserAgent, s.ClientAddress);

    public static AuditEntryView View(AuditRow row) => new(
        row.Entry.Id, row.Entry.At, row.Entry.ActorId, row.Entry.ActorName, row.Entry.TargetUserId, row.TargetUsername, row.Entry.Action,
        Parse(row.Entry.Before), Parse(row.Entry.After));

    private static JsonElement? Parse(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();

    /// <summary>The examples of the API reference (example domains only, no live-looking token).</summary>
    public static class Examples
    {
        public static readonly Guid Id = Guid.Parse("0193f4a2-7c1e-7d40-9a51-3c2b1f0e9d88");
        public static readonly Guid AdminId = Guid.Parse("0193f4a0-1111-7000-8000-0000000000a1");
        public static readonly DateTimeOffset At = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

        public static readonly UserView User = new(Id, "hanako_sato", "hanako@example.com", true, At.AddMinutes(5), At, ["admin"], null,
            new ProfileView("software", "3_to_5_years", "Close more renewals", "ja"),
            new EmailDeliveryView("delivered", "email-verification", "250 2.0.0 Ok", At.AddMinutes(1)), null);

        public static readonly UserView Pending = User with
        {
            Id = Guid.Parse("0193f4a1-0000-7000-8000-0000000000b2"), Username = "taro_yamada", Email = "taro@example.com", IsActive = false,
            EmailVerifiedAt = null, Roles = [], EmailDelivery = null, Profile = new ProfileView("retail", null, null, "en"),
        };

        public static readonly SessionView Session = new(Guid.Parse("0193f4a3-2222-7000-8000-0000000000c3"), At.AddHours(1), At.AddDays(14).AddHours(1),
            At.AddHours(3), "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36", "203.0.113.7");

        public static readonly AuditEntryView Audit = new(Guid.Parse("0193f4a4-3333-7000-8000-0000000000d4"), At.AddHours(2), AdminId, "aiko_admin", Id,
            "hanako_sato", UserAdmin.Actions.RoleGranted, JsonDocument.Parse("""{"roles":[]}""").RootElement,
            JsonDocument.Parse("""{"roles":["admin"]}""").RootElement);

        public static Dictionary<string, object?> NotFound => ApiDocs.Problem(StatusCodes.Status404NotFound, "No such user", $"There is no user {Id}.");
    }
}
