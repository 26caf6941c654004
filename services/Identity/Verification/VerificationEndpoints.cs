using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SalesMind.Contracts;
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

    public static IEndpointRouteBuilder MapVerification(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth");
        api.MapGet("/verify-email/", VerifyEmailAsync);
        api.MapPost("/resend-verification/", ResendAsync).RequireRateLimiting(RateLimits.Resend);
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
        if (user is { EmailVerifiedAt: null })
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

    /// <summary>The link in the email. Always a redirect to a page, whatever the token.</summary>
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

        // Lock the token row: two clicks at once (a mail scanner and the person) must not both
        // activate the account and both publish UserEmailVerified.
        var stored = await db.VerificationTokens
            .FromSql($"SELECT * FROM email_verification_tokens WHERE token_hash = {hash} FOR UPDATE")
            .SingleOrDefaultAsync(ct);

        // The lookup is by hash, so the secret itself is never compared; comparing the hashes in
        // constant time as well keeps that true if the lookup ever changes.
        if (stored is null || !CryptographicOperations.FixedTimeEquals(stored.TokenHash, hash))
        {
            return Fail("invalid");
        }

        // Lock the user too: two different links of one user clicked at once must not both
        // activate it. Read after the locks are held, so this sees what another click committed.
        var user = await db.Users.FromSql($"SELECT * FROM users WHERE id = {stored.UserId} FOR UPDATE").SingleAsync(ct);
        if (stored.UsedAt is not null)
        {
            // Mail scanners often open links before people do: a second click is still success.
            return user.IsActive ? TypedResults.Redirect(SuccessPage) : Fail("used");
        }

        if (stored.ExpiresAt <= now)
        {
            return Fail("expired");
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

        LogVerified(loggers.CreateLogger("SalesMind.Identity.Verification"), user.Id);
        return TypedResults.Redirect(SuccessPage);
    }

    private static RedirectHttpResult Fail(string reason) => TypedResults.Redirect($"{ErrorPage}?reason={reason}");

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} verified their email address")]
    private static partial void LogVerified(ILogger logger, Guid userId);
}
