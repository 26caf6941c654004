using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using SalesMind.Contracts;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Data;
using SalesMind.Identity.EmailChanges;
using SalesMind.Identity.Security;
using SalesMind.Identity.Verification;
using SalesMind.Outbox;

namespace SalesMind.Identity.Registration;

/// <summary>
/// How a sign-up ended. Accepted (202) also for a known address, so the answer never says who has
/// an account; <paramref name="Mailed"/> is the event that mails someone because of it, if any.
/// </summary>
public readonly record struct SignupOutcome(bool UsernameTaken, Guid? Mailed)
{
    public static SignupOutcome Accepted(Guid? mailed) => new(false, mailed);

    public static readonly SignupOutcome Taken = new(true, null);
}

/// <summary>
/// The sign-up: a new pending account with its verification link and event in one transaction,
/// or the duplicate policy (<see cref="DuplicatePolicy"/>) for a name or address already held.
/// </summary>
public sealed partial class Registrar(
    IdentityDb db, PasswordHashing hashing, IOptions<AccountOptions> options, TimeProvider time, ILoggerFactory loggers)
{
    private readonly ILogger log = loggers.CreateLogger("SalesMind.Identity.Registration");

    public async Task<SignupOutcome> RegisterAsync(ValidRegistration registration, CancellationToken ct)
    {
        // Hash before looking anything up: a sign-up with a known address must cost the same
        // time as a new one, or the response time would reveal who has an account.
        var settings = options.Value;
        var now = time.GetUtcNow();
        var passwordHash = await hashing.HashAsync(registration.Password);

        // Two rounds at most: a sign-up that loses the race to insert an address is handled in a
        // second round as one that arrived later (the address is then contested), never dropped,
        // or racing sign-ups could leave the first one standing uncontested.
        for (var round = 0; ; round++)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);

            // The username first: whether a name is taken is public anyway, and answering 409 before
            // looking at the address means the answer never depends on who owns the address.
            if (await IsTakenAsync(registration, ct) is { } taken)
            {
                await tx.CommitAsync(ct);
                return taken ? SignupOutcome.Taken : SignupOutcome.Accepted(null);
            }

            // Locked, so parallel sign-ups with one address are decided one after another.
            var owner = await db.Users
                .FromSql($"SELECT * FROM users WHERE normalized_email = {registration.NormalizedEmail} FOR UPDATE")
                .Include(u => u.Profile)
                .SingleOrDefaultAsync(ct);
            if (owner is not null && owner.NormalizedUsername == registration.NormalizedUsername && owner.EmailVerifiedAt is null
                && await hashing.VerifyAsync(owner.PasswordHash, registration.Password))
            {
                // A copy of this very sign-up got here first (we waited for its lock): same answer, nothing twice.
                await tx.CommitAsync(ct);
                return SignupOutcome.Accepted(null);
            }

            if (owner is not null)
            {
                var mailed = await AddressInUseAsync(owner, registration.Locale, settings, now, ct);
                await tx.CommitAsync(ct);
                LogDuplicateEmail(log, owner.Id);
                return SignupOutcome.Accepted(mailed);
            }

            if (await AddressReservation.IsHeldAsync(db, registration.NormalizedEmail, null, now, ct))
            {
                // Held for the undo of an address change: answered like any address in use, and
                // nothing is mailed (the mailbox's owner can undo the change instead).
                await tx.CommitAsync(ct);
                return SignupOutcome.Accepted(null);
            }

            var user = NewUser(registration, passwordHash, now);
            db.Users.Add(user);
            var sent = VerificationMail.Add(db, user, registration.Locale, settings, now).MessageId;
            try
            {
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
            }
            catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg)
            {
                // Lost a race with a concurrent sign-up for the same name or address (or with a copy
                // of this very request, sent twice by some hop on the way).
                await tx.RollbackAsync(CancellationToken.None);
                db.ChangeTracker.Clear();
                if (pg.ConstraintName?.Contains("username", StringComparison.Ordinal) == true)
                {
                    return await IsTakenAsync(registration, ct) == false ? SignupOutcome.Accepted(null) : SignupOutcome.Taken;
                }

                if (round == 0)
                {
                    continue;
                }

                return SignupOutcome.Accepted(null);
            }

            LogRegistered(log, user.Id);
            return SignupOutcome.Accepted(sent);
        }
    }

    private static User NewUser(ValidRegistration registration, string passwordHash, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        Username = registration.Username,
        NormalizedUsername = registration.NormalizedUsername,
        Email = registration.Email,
        NormalizedEmail = registration.NormalizedEmail,
        PasswordHash = passwordHash,
        IsActive = false,
        CreatedAt = now,
        Profile = new UserProfile
        {
            Industry = registration.Industry,
            SalesExperience = registration.SalesExperience,
            Purpose = registration.Purpose,
            Locale = registration.Locale,
        },
    };

    /// <summary>
    /// Applies <see cref="DuplicatePolicy.ForAddressInUse"/> to the locked owner of the address.
    /// Returns the event that mails them, if any.
    /// </summary>
    private async Task<Guid?> AddressInUseAsync(User owner, string locale, AccountOptions settings, DateTimeOffset now, CancellationToken ct)
    {
        var decision = DuplicatePolicy.ForAddressInUse(
            owner.DeactivatedAt is not null, owner.EmailVerifiedAt is not null, owner.DuplicateSignupNoticeAt, now, settings.DuplicateSignupNoticeInterval);
        if (owner.DeactivatedAt is not null)
        {
            // An admin closed this account: no link of any kind goes out for it, and nothing changes.
            return null;
        }

        if (decision.Contest)
        {
            owner.ContestedAt ??= now;
        }

        Guid? mailed = null;
        if (decision.Notice != DuplicateNotice.None)
        {
            owner.DuplicateSignupNoticeAt = now;
            // A fresh link in the language of this sign-up. Earlier links keep working: they all
            // went to this one mailbox, and none of them activates a typed password any more, so
            // the owner may open whichever they find first.
            mailed = decision.Notice == DuplicateNotice.VerificationLink
                ? VerificationMail.Add(db, owner, locale, settings, now).MessageId
                : db.AddOutboxMessage(new AccountAlreadyExists(owner.Id, owner.Username, owner.Email, locale, settings.Url("/login.html"), now), now);
        }

        await db.SaveChangesAsync(ct);
        return mailed;
    }

    /// <summary>
    /// Null when the username is free. Otherwise true (taken: 409) or false: the holder is this
    /// same sign-up (<see cref="DuplicatePolicy.IsSameSignup"/>). The password is checked whether
    /// or not the address matches, so the time taken reveals nothing about the address.
    /// </summary>
    private async Task<bool?> IsTakenAsync(ValidRegistration registration, CancellationToken ct)
    {
        var holder = await db.Users
            .Where(u => u.NormalizedUsername == registration.NormalizedUsername)
            .Select(u => new { u.NormalizedEmail, u.EmailVerifiedAt, u.PasswordHash })
            .SingleOrDefaultAsync(ct);
        if (holder is null)
        {
            return null;
        }

        var sameEmail = holder.NormalizedEmail == registration.NormalizedEmail;
        var verified = holder.EmailVerifiedAt is not null;
        var samePassword = await hashing.VerifyAsync(sameEmail && !verified ? holder.PasswordHash : null, registration.Password);
        return !DuplicatePolicy.IsSameSignup(sameUsername: true, sameEmail, verified, samePassword);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} registered")]
    private static partial void LogRegistered(ILogger logger, Guid userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sign-up attempted with the address of existing user {UserId}")]
    private static partial void LogDuplicateEmail(ILogger logger, Guid userId);
}
