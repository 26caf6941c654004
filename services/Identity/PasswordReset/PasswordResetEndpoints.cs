using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesMind.Contracts;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Data;
using SalesMind.Identity.Registration;
using SalesMind.Identity.Sessions;
using SalesMind.Identity.Verification;
using SalesMind.Outbox;

namespace SalesMind.Identity.PasswordReset;

/// <summary>
/// Forgotten passwords: a request that always answers 202, an emailed single-use link (1 h), and
/// the new password. Setting it signs the account out everywhere and lifts a lockout.
/// </summary>
public static partial class PasswordResetEndpoints
{

    public sealed record ResetConfirmation(string? Token, string? Password, string? Locale);

    public sealed record ResetAccepted(string Status);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static IEndpointRouteBuilder MapPasswordReset(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth/password-reset");
        api.MapPost("/", RequestAsync).RequireRateLimiting(RateLimits.Resend);
        api.MapPost("/confirm/", ConfirmAsync).RequireRateLimiting(RateLimits.Login);
        return app;
    }

    internal static async Task<Results<Accepted<ResetAccepted>, ValidationProblem, ProblemHttpResult>> RequestAsync(
        HttpRequest http, IdentityDb db, IOptions<AccountOptions> options, TimeProvider time, CancellationToken ct)
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
        // Only verified accounts: an unverified one has no password worth resetting yet (it gets
        // a verification link instead, through resend). One link a minute, as for verification.
        if (user is { EmailVerifiedAt: not null, IsActive: true })
        {
            var last = await db.PasswordResetTokens.Where(t => t.UserId == user.Id).MaxAsync(t => (DateTimeOffset?)t.CreatedAt, ct);
            if (last is null || now - last >= settings.ResendCooldown)
            {
                await db.PasswordResetTokens
                    .Where(t => t.UserId == user.Id && t.UsedAt == null && t.ExpiresAt > now)
                    .ExecuteUpdateAsync(set => set.SetProperty(t => t.ExpiresAt, now), ct);
                var (token, hash) = VerificationToken.Create();
                var expiresAt = now + settings.PasswordResetLifetime;
                db.PasswordResetTokens.Add(new PasswordResetToken
                {
                    Id = Guid.CreateVersion7(now), UserId = user.Id, TokenHash = hash, CreatedAt = now, ExpiresAt = expiresAt,
                });
                db.AddOutboxMessage(new PasswordResetRequested(
                    user.Id, user.Username, user.Email, locale, settings.Url($"/reset_password.html?token={token}"), expiresAt, now), now);
                await db.SaveChangesAsync(ct);
            }
        }

        await tx.CommitAsync(ct);
        return TypedResults.Accepted((string?)null, new ResetAccepted("accepted"));
    }

    internal static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ConfirmAsync(
        HttpRequest http, IdentityDb db, PasswordHashing hashing, LoginGuard guard, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        ResetConfirmation? request;
        try
        {
            request = await http.ReadFromJsonAsync<ResetConfirmation>(Json, ct);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or BadHttpRequestException)
        {
            return TypedResults.Problem("Send {\"token\": …, \"password\": …} as application/json.", statusCode: StatusCodes.Status400BadRequest, title: "Malformed request");
        }

        var locale = RegistrationRules.LocaleOf(request?.Locale);
        ValidationProblem TokenProblem(string key) => TypedResults.ValidationProblem(
            new Dictionary<string, string[]> { ["token"] = [Messages.Get(key, locale)] }, title: "Unusable link");

        if (!VerificationToken.IsWellFormed(request?.Token))
        {
            return TokenProblem("token.invalid");
        }

        var now = time.GetUtcNow();
        var hash = VerificationToken.Hash(request!.Token!);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var stored = await db.PasswordResetTokens
            .FromSql($"SELECT * FROM password_reset_tokens WHERE token_hash = {hash} FOR UPDATE")
            .SingleOrDefaultAsync(ct);
        if (stored is null)
        {
            return TokenProblem("token.invalid");
        }

        if (stored.UsedAt is not null)
        {
            return TokenProblem("token.used");
        }

        if (stored.ExpiresAt <= now)
        {
            return TokenProblem("token.expired");
        }

        var user = await db.Users.FromSql($"SELECT * FROM users WHERE id = {stored.UserId} FOR UPDATE").SingleAsync(ct);
        var password = request.Password ?? "";
        if (RegistrationRules.PasswordProblem(password, user.Username) is { } problem)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["password"] = [Messages.Get(problem, locale)] }, title: "Invalid password");
        }

        user.PasswordHash = await hashing.HashAsync(password);
        user.FailedLogins = 0;
        user.LockedUntil = null;
        stored.UsedAt = now;
        await db.SaveChangesAsync(ct);
        // Whoever knew the old password is signed out too.
        await db.Sessions.Where(s => s.UserId == user.Id).ExecuteDeleteAsync(ct);
        // The lock strangers caused is lifted, and this browser becomes a known device.
        await guard.AfterPasswordResetAsync(http.HttpContext, user.Id, ct);
        await tx.CommitAsync(ct);
        LogReset(loggers.CreateLogger("SalesMind.Identity.PasswordReset"), user.Id);
        return TypedResults.NoContent();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} set a new password through a reset link")]
    private static partial void LogReset(ILogger logger, Guid userId);
}
