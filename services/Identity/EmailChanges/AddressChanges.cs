using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using SalesMind.Contracts;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Audit;
using SalesMind.Identity.Data;
using SalesMind.Identity.Security;
using SalesMind.Identity.Sessions;
using SalesMind.Outbox;
using ChangeRow = SalesMind.Identity.Accounts.EmailChange;

namespace SalesMind.Identity.EmailChanges;

/// <summary>
/// Moving an account to a new address: asked for with the password, confirmed from the new
/// mailbox (link or 6-digit code), told to the old mailbox with an undo link. A request for an
/// address that has an account is answered exactly like one for a free address and stored the
/// same way (a row whose link and code go nowhere), so no later step tells the two apart.
/// </summary>
public sealed partial class AddressChanges(
    IdentityDb db, LoginGuard guard, PasswordHashing hashing, IOptions<AccountOptions> options, TimeProvider time, ILoggerFactory loggers)
{
    public const string ConfirmPage = "/change_email.html";

    private readonly ILogger log = loggers.CreateLogger("SalesMind.Identity.EmailChange");

    public async Task<ChangeOutcome> RequestAsync(HttpContext http, User user, string newEmail, string password, string locale, CancellationToken ct)
    {
        var settings = options.Value;
        var normalized = FieldRules.NormalizeEmail(newEmail);
        if (normalized == user.NormalizedEmail)
        {
            return ChangeOutcome.Problem("new_email", "new_email.same");
        }

        // The login's guard: the attempt is reserved on the account's counter before the hash, so
        // a stolen session cannot try passwords faster than a login could, and the lock is shared.
        var check = await guard.CheckAsync(http, user, user.NormalizedEmail, password, ct);
        switch (check.Verdict)
        {
            case LoginVerdict.Busy:
                return new(ChangeResult.Busy, Wait: check.Wait);
            case LoginVerdict.Locked:
                return new(ChangeResult.Locked, Wait: check.Wait);
            case LoginVerdict.WrongPassword:
                await Task.Delay(check.Wait, time, ct);
                return ChangeOutcome.Problem("password", "password.wrong");
        }

        // From here an address with an account does a little more work than a free one: the answer
        // waits until the same time has passed either way (the hash before is the same for both).
        var checkedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        // A password hash upgraded by the check is saved now.
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        var now = time.GetUtcNow();
        Guid? ownerId;
        DateTimeOffset expiresAt;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            var me = await LockUserAsync(user.Id, ct);
            if (me is null)
            {
                // Removed since the session was read: as good as signed out.
                return new(ChangeResult.SignedOut);
            }

            // No flood of confirmation emails to someone else's mailbox from one account.
            var lastHour = await db.EmailChanges.CountAsync(c => c.UserId == me.Id && c.CreatedAt > now.AddHours(-1), ct);
            if (lastHour >= settings.MaxResendsPerHour)
            {
                return new(ChangeResult.TooMany, Wait: TimeSpan.FromHours(1));
            }

            // While the last change can be undone, no other: a later change's undo would otherwise
            // void the owner's link (every undo voids the others), keeping whoever made them in.
            var undoOpenUntil = await db.EmailChanges
                .Where(c => c.UserId == me.Id && c.ConfirmedAt != null && c.UndoneAt == null && c.UndoExpiresAt > now)
                .MaxAsync(c => c.UndoExpiresAt, ct);
            if (undoOpenUntil is { } until)
            {
                return new(ChangeResult.UndoOpen, "new_email", "new_email.undo_open", ExpiresAt: until);
            }

            await RevokePendingAsync(me.Id, now, ct);
            ownerId = await db.Users.Where(u => u.NormalizedEmail == normalized).Select(u => (Guid?)u.Id).SingleOrDefaultAsync(ct);
            var held = ownerId is null && await AddressReservation.IsHeldAsync(db, normalized, me.Id, now, ct);
            var id = Guid.CreateVersion7(now);
            var (token, tokenHash) = OpaqueToken.Create();
            var (code, codeHash) = OneTimeCode.Create(settings.CodeKey!, id);
            expiresAt = now + settings.EmailChangeLifetime;
            db.EmailChanges.Add(new ChangeRow
            {
                Id = id, UserId = me.Id, OldEmail = me.Email, NewEmail = newEmail, NormalizedNewEmail = normalized,
                TokenHash = tokenHash, CodeHash = codeHash, CreatedAt = now, ExpiresAt = expiresAt,
            });
            if (ownerId is null && !held)
            {
                db.AddOutboxMessage(new EmailChangeRequested(
                    me.Id, me.Username, newEmail, locale, settings.Url($"{ConfirmPage}?token={token}"), code, expiresAt, now), now);
            }

            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }

        if (ownerId is { } owner)
        {
            // After the commit, so only one user row is ever locked at a time here (two accounts
            // asking for each other's address at once cannot deadlock).
            await NoticeOwnerAsync(owner, now, ct);
            LogTakenAddress(log, user.Id);
        }

        LogRequested(log, user.Id);
        var left = settings.UniformAnswerTime - System.Diagnostics.Stopwatch.GetElapsedTime(checkedAt);
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left, time, ct);
        }

        return new(ChangeResult.Done, ExpiresAt: expiresAt);
    }

    /// <summary>"Someone tried to use your address": at most one per notice interval, shared with the duplicate sign-up notice.</summary>
    private async Task NoticeOwnerAsync(Guid ownerId, DateTimeOffset now, CancellationToken ct)
    {
        var settings = options.Value;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var owner = await LockUserAsync(ownerId, ct);
        if (owner is null || owner.DeactivatedAt is not null || owner.DeletedAt is not null
            || owner.DuplicateSignupNoticeAt > now - settings.DuplicateSignupNoticeInterval)
        {
            return;
        }

        owner.DuplicateSignupNoticeAt = now;
        var locale = await db.Profiles.Where(p => p.UserId == owner.Id).Select(p => p.Locale).FirstOrDefaultAsync(ct) ?? "ja";
        db.AddOutboxMessage(new EmailChangeAttempted(owner.Id, owner.Username, owner.Email, locale, settings.Url("/login.html"), now), now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The code typed by the signed-in owner, checked against their newest pending change.</summary>
    public async Task<ChangeOutcome> ConfirmCodeAsync(Guid userId, string? typed, CancellationToken ct)
    {
        var code = OneTimeCode.Normalize(typed);
        if (code is null)
        {
            return ChangeOutcome.Problem("code", "code.required");
        }

        var now = time.GetUtcNow();
        db.ChangeTracker.Clear();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The user row first, then the change, in the order every step here takes them.
        var user = await LockUserAsync(userId, ct);
        var change = user is null ? null : await db.EmailChanges
            .FromSql($"SELECT * FROM email_changes WHERE user_id = {userId} AND confirmed_at IS NULL AND revoked_at IS NULL ORDER BY created_at DESC LIMIT 1 FOR UPDATE")
            .SingleOrDefaultAsync(ct);
        if (user is null || change is null)
        {
            return ChangeOutcome.Problem("code", "code.none");
        }

        if (change.ExpiresAt <= now || change.CodeAttempts >= options.Value.MaxCodeAttempts)
        {
            return ChangeOutcome.Problem("code", "code.dead");
        }

        if (!OneTimeCode.Matches(options.Value.CodeKey!, change.CodeHash, change.Id, code))
        {
            // Counted under the row lock, before the answer: parallel guesses queue and each one counts.
            change.CodeAttempts++;
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            return ChangeOutcome.Problem("code", change.CodeAttempts >= options.Value.MaxCodeAttempts ? "code.dead" : "code.wrong");
        }

        return await SwitchAsync(user, change, now, ct);
    }

    /// <summary>The link from the new mailbox (no session needed: it may be opened on another device).</summary>
    public async Task<ChangeOutcome> ConfirmTokenAsync(string? token, CancellationToken ct)
    {
        if (!OpaqueToken.IsWellFormed(token))
        {
            return ChangeOutcome.Problem("token", "token.invalid");
        }

        var hash = OpaqueToken.Hash(token!);
        var now = time.GetUtcNow();
        var owner = await db.EmailChanges.Where(c => c.TokenHash == hash).Select(c => (Guid?)c.UserId).SingleOrDefaultAsync(ct);
        if (owner is null)
        {
            return ChangeOutcome.Problem("token", "token.invalid");
        }

        db.ChangeTracker.Clear();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = await LockUserAsync(owner.Value, ct);
        var change = await db.EmailChanges.FromSql($"SELECT * FROM email_changes WHERE token_hash = {hash} FOR UPDATE").SingleOrDefaultAsync(ct);
        if (user is null || change is null || !OpaqueToken.Matches(change.TokenHash, hash))
        {
            return ChangeOutcome.Problem("token", "token.invalid");
        }

        if (change.ConfirmedAt is not null)
        {
            return ChangeOutcome.Problem("token", "token.used");
        }

        if (change.RevokedAt is not null || change.ExpiresAt <= now)
        {
            return ChangeOutcome.Problem("token", "token.expired");
        }

        return await SwitchAsync(user, change, now, ct);
    }

    /// <summary>
    /// The switch itself, in the caller's transaction with the user and change rows locked: the
    /// address is checked free again (the unique index decides a race between two accounts), the
    /// old mailbox gets its undo link, and every other pending change and reset link dies.
    /// </summary>
    private async Task<ChangeOutcome> SwitchAsync(User user, ChangeRow change, DateTimeOffset now, CancellationToken ct)
    {
        var settings = options.Value;
        if (user.DeactivatedAt is not null || user.DeletedAt is not null)
        {
            return ChangeOutcome.Problem("token", "token.invalid");
        }

        if (await db.Users.AnyAsync(u => u.NormalizedEmail == change.NormalizedNewEmail && u.Id != user.Id, ct)
            || await AddressReservation.IsHeldAsync(db, change.NormalizedNewEmail, user.Id, now, ct))
        {
            return Taken(change);
        }

        var oldEmail = user.Email;
        var (undoToken, undoHash) = OpaqueToken.Create();
        user.Email = change.NewEmail;
        user.NormalizedEmail = change.NormalizedNewEmail;
        change.OldEmail = oldEmail;
        change.ConfirmedAt = now;
        change.UndoTokenHash = undoHash;
        change.UndoExpiresAt = now + settings.EmailChangeUndoLifetime;
        AccountAudit.Add(db, user, user.Id, "email.changed", new { email = oldEmail }, new { email = change.NewEmail }, now);
        var locale = await db.Profiles.Where(p => p.UserId == user.Id).Select(p => p.Locale).FirstOrDefaultAsync(ct) ?? "ja";
        db.AddOutboxMessage(new EmailChanged(user.Id, user.Username, oldEmail, change.NewEmail, locale,
            settings.Url($"{ConfirmPage}?undo_token={undoToken}"), change.UndoExpiresAt.Value, now), now);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Another account took the address a moment ago (its transaction committed first).
            return Taken(change);
        }

        await RevokePendingAsync(user.Id, now, ct);
        // A reset link mailed to the old address must not outlive the move away from it.
        await db.PasswordResetTokens.Where(t => t.UserId == user.Id && t.UsedAt == null && t.ExpiresAt > now)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.ExpiresAt, now), ct);
        await db.Database.CommitTransactionAsync(ct);
        LogChanged(log, user.Id);
        return new(ChangeResult.Done, Email: change.NewEmail);
    }

    private static ChangeOutcome Taken(ChangeRow change) => new(ChangeResult.Taken, "new_email", "new_email.taken", Email: change.NewEmail);

    private Task<User?> LockUserAsync(Guid id, CancellationToken ct) =>
        db.Users.FromSql($"SELECT * FROM users WHERE id = {id} FOR UPDATE").SingleOrDefaultAsync(ct);

    private Task<int> RevokePendingAsync(Guid userId, DateTimeOffset now, CancellationToken ct) =>
        db.EmailChanges.RevokePendingAsync(userId, now, ct);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} asked to change the account's address")]
    private static partial void LogRequested(ILogger logger, Guid userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} asked for an address that has an account; its owner is told")]
    private static partial void LogTakenAddress(ILogger logger, Guid userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} confirmed a new address")]
    private static partial void LogChanged(ILogger logger, Guid userId);

}
