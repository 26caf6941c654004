using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SalesMind.Contracts;
using SalesMind.Identity.Data;
using SalesMind.Outbox;

namespace SalesMind.Identity.Verification;

public static partial class VerificationEndpoints
{
    public const string SuccessPage = "/email_verified.html";
    public const string ErrorPage = "/email_verification_error.html";

    public static IEndpointRouteBuilder MapVerification(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/auth").MapGet("/verify-email/", VerifyEmailAsync);
        return app;
    }

    /// <summary>The link in the email. Always a redirect to a page, whatever the token.</summary>
    internal static async Task<RedirectHttpResult> VerifyEmailAsync(
        string? token, IdentityDb db, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
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
            db.AddOutboxMessage(new UserEmailVerified(user.Id, user.Email, now), now);
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
