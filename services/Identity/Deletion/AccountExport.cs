using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Data;

namespace SalesMind.Identity.Deletion;

/// <summary>
/// Everything Identity holds about one person, as the JSON file "Download my data" gives them.
/// Built from explicit records, never from the entities, so a secret column added later (a hash,
/// a token) cannot slip into the file.
/// </summary>
public sealed class AccountExport(IdentityDb db, TimeProvider time)
{
    public sealed record ExportFile(
        DateTimeOffset ExportedAt, AccountPart Account, ProfilePart? Profile, IReadOnlyList<string> Roles,
        IReadOnlyList<SessionPart> Sessions, IReadOnlyList<DevicePart> KnownDevices, IReadOnlyList<AddressChangePart> AddressChanges,
        IReadOnlyList<AuditPart> AuditEntries, IReadOnlyList<EmailPart> Emails, string EmailsNote);

    public sealed record AccountPart(
        Guid Id, string Username, string Email, bool IsActive, DateTimeOffset CreatedAt, DateTimeOffset? EmailVerifiedAt,
        DateTimeOffset? DeactivatedAt, DateTimeOffset? ContestedAt, DateTimeOffset? VerificationReminderSentAt,
        DateTimeOffset? DuplicateSignupNoticeAt, int FailedLogins, DateTimeOffset? LockedUntil);

    public sealed record ProfilePart(string Industry, string? SalesExperience, string? Purpose, string Locale);

    public sealed record SessionPart(string? Device, string? Address, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt);

    public sealed record DevicePart(DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

    public sealed record AddressChangePart(
        string OldEmail, string NewEmail, DateTimeOffset CreatedAt, DateTimeOffset? ConfirmedAt, DateTimeOffset? RevokedAt, DateTimeOffset? UndoneAt);

    public sealed record AuditPart(DateTimeOffset At, string Actor, string Action, JsonElement? Before, JsonElement? After);

    public sealed record EmailPart(string Address, string Template, string Status, string? Diagnostic, DateTimeOffset At, string? FailureClass = null);

    /// <summary>What the file says about <see cref="ExportFile.Emails"/> (README: "Deleting the account, exporting the data").</summary>
    public const string EmailsNote =
        "Every email the mail service reported on that went to this account's current address since the account was made, " +
        "and to each earlier address while the account had it, with its latest status (its fate) and when that happened.";

    public async Task<ExportFile> BuildAsync(User user, CancellationToken ct)
    {
        var id = user.Id;
        var profile = await db.Profiles.AsNoTracking().Where(p => p.UserId == id)
            .Select(p => new ProfilePart(p.Industry, p.SalesExperience, p.Purpose, p.Locale)).SingleOrDefaultAsync(ct);
        var sessions = await db.Sessions.AsNoTracking().Where(s => s.UserId == id).OrderBy(s => s.CreatedAt)
            .Select(s => new SessionPart(s.UserAgent, s.ClientAddress, s.CreatedAt, s.LastSeenAt, s.ExpiresAt)).ToListAsync(ct);
        var devices = await db.KnownDevices.AsNoTracking().Where(d => d.UserId == id).OrderBy(d => d.CreatedAt)
            .Select(d => new DevicePart(d.CreatedAt, d.ExpiresAt)).ToListAsync(ct);
        var changes = await db.EmailChanges.AsNoTracking().Where(c => c.UserId == id).OrderBy(c => c.CreatedAt)
            .Select(c => new AddressChangePart(c.OldEmail, c.NewEmail, c.CreatedAt, c.ConfirmedAt, c.RevokedAt, c.UndoneAt)).ToListAsync(ct);
        var audit = (await db.AccountAudit.AsNoTracking().Where(a => a.TargetUserId == id).OrderBy(a => a.At).ToListAsync(ct))
            .Select(a => new AuditPart(a.At, a.ActorName, a.Action, Parse(a.Before), Parse(a.After))).ToList();

        // Each address only while it was the account's: an address held before may belong to
        // someone else by now, and the current one to someone else before this account.
        var emails = new List<EmailPart>();
        var spans = (await AccountAddresses.PastAsync(db, id, ct))
            .Select(p => (Address: p.Email, Until: (DateTimeOffset?)p.Until))
            .Append((Address: user.Email, Until: null));
        foreach (var (address, until) in spans)
        {
            var recipient = address.ToLowerInvariant();
            var query = db.EmailMessageStates.AsNoTracking().Where(m => m.Recipient == recipient && m.OccurredAt >= user.CreatedAt);
            if (until is { } end)
            {
                query = query.Where(m => m.OccurredAt <= end);
            }

            emails.AddRange(await query
                .Select(m => new EmailPart(m.Recipient!, m.Template ?? "", m.Status, m.Diagnostic, m.OccurredAt, m.FailureClass)).ToListAsync(ct));
        }

        emails.Sort((a, b) => a.At.CompareTo(b.At));

        var account = new AccountPart(
            user.Id, user.Username, user.Email, user.IsActive, user.CreatedAt, user.EmailVerifiedAt, user.DeactivatedAt, user.ContestedAt,
            user.VerificationReminderSentAt, user.DuplicateSignupNoticeAt, user.FailedLogins, user.LockedUntil);
        return new ExportFile(time.GetUtcNow(), account, profile, user.Roles, sessions, devices, changes, audit, emails, EmailsNote);
    }

    private static JsonElement? Parse(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
}
