using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using SalesMind.Contracts;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.AddressStates;
using SalesMind.Identity.Data;
using SalesMind.Identity.Sessions;
using SalesMind.Identity.Verification;
using SalesMind.Outbox;

namespace SalesMind.Identity.Registration;

public static partial class RegistrationEndpoints
{
    public const string Accepted = "verification_email_sent";

    public static IEndpointRouteBuilder MapRegistration(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth");
        api.MapPost("/register/", RegisterAsync).RequireRateLimiting(RateLimits.Register);
        api.MapGet("/industries/", GetChoices);
        return app;
    }

    public sealed record ChoicesResponse(IReadOnlyList<Choice> Industries, IReadOnlyList<Choice> SalesExperiences);

    private static Ok<ChoicesResponse> GetChoices() =>
        TypedResults.Ok(new ChoicesResponse(Catalog.Industries, Catalog.SalesExperiences));

    internal static async Task<Results<Accepted<RegisterResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        HttpRequest http,
        IdentityDb db,
        PasswordHashing hashing,
        IOptions<AccountOptions> options,
        TimeProvider time,
        IWebHostEnvironment environment,
        ILoggerFactory loggers,
        CancellationToken ct)
    {
        Dictionary<string, string?> values;
        Dictionary<string, string> errors;
        try
        {
            (values, errors) = await RequestBody.ReadFormAsync(http, RegisterRequest.Fields, ct);
        }
        catch (BadRequestBodyException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: ex.Status, title: ex.Title);
        }

        var request = RegisterRequest.From(values);
        var locale = RegistrationRules.LocaleOf(request.Locale);
        var registration = RegistrationRules.Validate(request, errors);
        if (registration is null || errors.Count > 0)
        {
            return TypedResults.ValidationProblem(
                errors.ToDictionary(e => e.Key, e => new[] { Messages.Get(e.Value, locale) }),
                detail: locale == "en" ? "Some fields need attention." : "入力内容を確認してください。",
                title: "Invalid registration");
        }

        // Hash before looking anything up: a sign-up with a known address must cost the same
        // time as a new one, or the response time would reveal who has an account.
        var settings = options.Value;
        var now = time.GetUtcNow();
        var passwordHash = await hashing.HashAsync(registration.Password);
        var response = new RegisterResponse(registration.Email, Accepted);
        var log = loggers.CreateLogger("SalesMind.Identity.Registration");

        // Every 202 hands the browser a receipt for the email this sign-up caused (or for none),
        // so the check-email page can say when the address could not be reached.
        async Task<Accepted<RegisterResponse>> AcceptedAsync(Guid? mailed)
        {
            db.ChangeTracker.Clear();
            await MailReceipts.IssueAsync(http.HttpContext, db, mailed, now, !environment.IsDevelopment(), ct);
            return TypedResults.Accepted((string?)null, response);
        }

        // Two rounds at most: a sign-up that loses the race to insert an address is handled in a
        // second round as one that arrived later (the address is then contested), never dropped,
        // or racing sign-ups could leave the first one standing uncontested.
        for (var round = 0; ; round++)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);

            // The username first: whether a name is taken is public anyway, and answering 409 before
            // looking at the address means the answer never depends on who owns the address.
            if (await IsTakenAsync(db, hashing, registration, ct) is { } taken)
            {
                await tx.CommitAsync(ct);
                return taken ? UsernameTaken(locale) : await AcceptedAsync(null);
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
                return await AcceptedAsync(null);
            }

            if (owner is not null)
            {
                var mailed = await AddressInUseAsync(db, owner, registration, settings, now, ct);
                await tx.CommitAsync(ct);
                LogDuplicateEmail(log, owner.Id);
                return await AcceptedAsync(mailed);
            }

            var user = new User
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
                    return await IsTakenAsync(db, hashing, registration, ct) == false
                        ? await AcceptedAsync(null)
                        : UsernameTaken(locale);
                }

                if (round == 0)
                {
                    continue;
                }

                return await AcceptedAsync(null);
            }

            LogRegistered(log, user.Id);
            return await AcceptedAsync(sent);
        }
    }

    /// <summary>
    /// A sign-up for an address that has an account, other than a copy of the one that made it.
    /// Answered with the same 202 as a new sign-up; only the address's owner learns more, by mail,
    /// at most once per interval, so this cannot flood someone's mailbox. Returns the event that
    /// mails them, if any.
    /// </summary>
    /// <remarks>
    /// An unverified account becomes contested and stays so: the newcomer's password and name are
    /// dropped (never stored), and from now on no password typed into a sign-up form activates
    /// through a link; whoever opens one proves the mailbox and then chooses the username and
    /// password (<see cref="VerificationEndpoints"/>). Neither the first nor a later sign-up can
    /// therefore plant credentials for an address it does not own.
    /// </remarks>
    private static async Task<Guid?> AddressInUseAsync(
        IdentityDb db, User owner, ValidRegistration registration, AccountOptions settings, DateTimeOffset now, CancellationToken ct)
    {
        if (owner.DeactivatedAt is not null)
        {
            // An admin closed this account: no link of any kind goes out for it.
            return null;
        }

        if (owner.EmailVerifiedAt is null)
        {
            owner.ContestedAt ??= now;
        }

        Guid? mailed = null;
        if (owner.DuplicateSignupNoticeAt is null || owner.DuplicateSignupNoticeAt < now - settings.DuplicateSignupNoticeInterval)
        {
            owner.DuplicateSignupNoticeAt = now;
            if (owner.EmailVerifiedAt is null)
            {
                // A fresh link in the language of this sign-up. Earlier links keep working: they all
                // went to this one mailbox, and none of them activates a typed password any more, so
                // the owner may open whichever they find first.
                mailed = VerificationMail.Add(db, owner, registration.Locale, settings, now).MessageId;
            }
            else
            {
                mailed = db.AddOutboxMessage(new AccountAlreadyExists(
                    owner.Id, owner.Username, owner.Email, registration.Locale, settings.Url("/login.html"), now), now);
            }
        }

        await db.SaveChangesAsync(ct);
        return mailed;
    }

    /// <summary>
    /// Null when the username is free. Otherwise true (taken: 409) or false: the holder is this
    /// same sign-up, retried or duplicated on the way after its answer was lost (same name,
    /// address and password, not verified yet), which gets the answer it should have had. The
    /// password is checked whether or not the address matches, so the time taken reveals nothing
    /// about the address.
    /// </summary>
    private static async Task<bool?> IsTakenAsync(IdentityDb db, PasswordHashing hashing, ValidRegistration registration, CancellationToken ct)
    {
        var holder = await db.Users
            .Where(u => u.NormalizedUsername == registration.NormalizedUsername)
            .Select(u => new { u.NormalizedEmail, u.EmailVerifiedAt, u.PasswordHash })
            .SingleOrDefaultAsync(ct);
        if (holder is null)
        {
            return null;
        }

        var sameAccount = holder.NormalizedEmail == registration.NormalizedEmail && holder.EmailVerifiedAt is null;
        var samePassword = await hashing.VerifyAsync(sameAccount ? holder.PasswordHash : null, registration.Password);
        return !(sameAccount && samePassword);
    }

    /// <summary>409 naming the username field: the one answer for a taken name, at sign-up and when a contested sign-up picks one.</summary>
    internal static ProblemHttpResult UsernameTaken(string locale) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]>
        {
            ["username"] = [Messages.Get("username.taken", locale)],
        })
        {
            Status = StatusCodes.Status409Conflict,
            Title = "Username taken",
            Detail = Messages.Get("username.taken", locale),
        });

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} registered")]
    private static partial void LogRegistered(ILogger logger, Guid userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sign-up attempted with the address of existing user {UserId}")]
    private static partial void LogDuplicateEmail(ILogger logger, Guid userId);
}
