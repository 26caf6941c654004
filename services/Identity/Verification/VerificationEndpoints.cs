using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SalesMind.Contracts;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.AddressStates;
using SalesMind.Identity.Data;
using SalesMind.Outbox;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SalesMind.Identity.Registration;
using SalesMind.Identity.Sessions;

namespace SalesMind.Identity.Verification;

public static partial class VerificationEndpoints
{
    public const string SuccessPage = "/email_verified.html";
    public const string ErrorPage = "/email_verification_error.html";

    /// <summary>The set-password page, which with <c>signup=1</c> also asks for a username.</summary>
    public const string ChooseCredentialsPage = "/reset_password.html";

    public static IEndpointRouteBuilder MapVerification(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth");
        api.MapGet("/verify-email/", VerifyEmailAsync);
        api.MapPost("/resend-verification/", ResendAsync).RequireRateLimiting(RateLimits.Resend).AddEndpointFilter<UniformAnswerTime>();
        return app;
    }


    public sealed record ResendResponse(string Status);

    /// <summary>
    /// A new verification link for an address whose account is waiting for it. Always the same
    /// 202, whether or not such an account exists; at most one email per cooldown and a few an
    /// hour per address, and each new link revokes the older ones.
    /// </summary>
    internal static async Task<Results<Accepted<ResendResponse>, ValidationProblem, ProblemHttpResult>> ResendAsync(
        HttpRequest http, IdentityDb db, IOptions<AccountOptions> options, TimeProvider time, IWebHostEnvironment environment, CancellationToken ct)
    {
        var read = await EmailRequest.ReadAsync(http, ct);
        if (read.Malformed is { } malformed)
        {
            return malformed;
        }

        if (read.Invalid is { } invalid)
        {
            return invalid;
        }

        var (email, locale) = (read.Email, read.Locale);
        var settings = options.Value;
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var normalized = email.ToLowerInvariant();
        var user = await db.Users.FromSql($"SELECT * FROM users WHERE normalized_email = {normalized} FOR UPDATE").SingleOrDefaultAsync(ct);
        Guid? mailed = null;
        if (user is { EmailVerifiedAt: null, DeactivatedAt: null })
        {
            var recent = await db.VerificationTokens
                .Where(t => t.UserId == user.Id && t.CreatedAt > now - TimeSpan.FromHours(1))
                .Select(t => t.CreatedAt)
                .ToListAsync(ct);
            if (recent.Count < settings.MaxResendsPerHour && (recent.Count == 0 || now - recent.Max() >= settings.ResendCooldown))
            {
                await VerificationMail.RevokeAsync(db, user.Id, now, ct);
                mailed = VerificationMail.Add(db, user, locale, settings, now).MessageId;
                await db.SaveChangesAsync(ct);
            }
        }

        await tx.CommitAsync(ct);
        // A receipt whether or not an email went out: the same answer for every address.
        db.ChangeTracker.Clear();
        await MailReceipts.IssueAsync(http.HttpContext, db, mailed, now, !environment.IsDevelopment(), ct);
        return TypedResults.Accepted((string?)null, new ResendResponse("accepted"));
    }

    /// <summary>
    /// The link in the email. Always a redirect to a page, whatever the token: the success page, the
    /// error page with <c>reason=invalid|expired|used|deactivated</c>, or, for a contested sign-up,
    /// the page where the mailbox's owner chooses a username and password.
    /// </summary>
    internal static async Task<RedirectHttpResult> VerifyEmailAsync(
        string? token, IdentityDb db, IOptions<AccountOptions> options, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        if (!VerificationToken.IsWellFormed(token))
        {
            return Fail("invalid");
        }

        var hash = VerificationToken.Hash(token!);
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);

        // Find the owner first, then lock the user before the token, in the order sign-up, resend
        // and the reminder job take them: the other order deadlocks with a sign-up revoking links.
        var userId = await db.VerificationTokens.Where(t => t.TokenHash == hash).Select(t => (Guid?)t.UserId).SingleOrDefaultAsync(ct);
        if (userId is null)
        {
            return Fail("invalid");
        }

        // Two clicks at once (a mail scanner and the person), or two links of one user, must not
        // both activate the account and both publish UserEmailVerified.
        var user = await db.Users.FromSql($"SELECT * FROM users WHERE id = {userId} FOR UPDATE").SingleOrDefaultAsync(ct);
        var stored = await db.VerificationTokens
            .FromSql($"SELECT * FROM email_verification_tokens WHERE token_hash = {hash} FOR UPDATE")
            .SingleOrDefaultAsync(ct);

        // The lookup is by hash, so the secret itself is never compared; comparing the hashes in
        // constant time as well keeps that true if the lookup ever changes.
        if (user is null || stored is null || !CryptographicOperations.FixedTimeEquals(stored.TokenHash, hash))
        {
            return Fail("invalid");
        }

        // Before anything else: no link of any age turns a deactivated account back on.
        if (user.DeactivatedAt is not null)
        {
            return Fail("deactivated");
        }

        if (stored.UsedAt is not null)
        {
            // Mail scanners often open links before people do: a second click is still success.
            return user.IsActive ? TypedResults.Redirect(SuccessPage) : Fail("used");
        }

        if (stored.ExpiresAt <= now)
        {
            return Fail("expired");
        }

        var log = loggers.CreateLogger("SalesMind.Identity.Verification");
        if (user is { EmailVerifiedAt: null, ContestedAt: not null })
        {
            // Two or more sign-ups claimed this address: the password of none of them becomes
            // active. The click proves the mailbox; its owner now chooses the credentials. The link
            // stays usable (a mail scanner opening it must not use it up), each click getting its
            // own set-password token; the first one used verifies the address and revokes the rest.
            var (setToken, setHash) = VerificationToken.Create();
            db.PasswordResetTokens.Add(new PasswordResetToken
            {
                Id = Guid.CreateVersion7(now),
                UserId = user.Id,
                TokenHash = setHash,
                CreatedAt = now,
                ExpiresAt = now + options.Value.PasswordResetLifetime,
                CompletesSignup = true,
            });
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            LogContestedClick(log, user.Id);
            return TypedResults.Redirect($"{ChooseCredentialsPage}?token={setToken}&signup=1");
        }

        stored.UsedAt = now;
        if (user.EmailVerifiedAt is null)
        {
            user.IsActive = true;
            user.EmailVerifiedAt = now;
            var locale = await db.Profiles.Where(p => p.UserId == user.Id).Select(p => p.Locale).FirstOrDefaultAsync(ct) ?? Messages.DefaultLocale;
            db.AddOutboxMessage(new UserEmailVerified(user.Id, user.Email, now, user.Username, locale, options.Value.Url("/login.html")), now);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);

        LogVerified(log, user.Id);
        return TypedResults.Redirect(SuccessPage);
    }

    private static RedirectHttpResult Fail(string reason) => TypedResults.Redirect($"{ErrorPage}?reason={reason}");

    [LoggerMessage(Level = LogLevel.Information, Message = "A link of contested sign-up {UserId} was opened; its owner now chooses the credentials")]
    private static partial void LogContestedClick(ILogger logger, Guid userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} verified their email address")]
    private static partial void LogVerified(ILogger logger, Guid userId);
}
