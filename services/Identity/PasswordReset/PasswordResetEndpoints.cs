using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using SalesMind.Contracts;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Data;
using SalesMind.Identity.Registration;
using SalesMind.Identity.AdminTokens;
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

    /// <param name="Username">Only for a link that completes a contested sign-up (the page asks for it then).</param>
    public sealed record ResetConfirmation(string? Token, string? Password, string? Locale, string? Username = null);

    public sealed record ResetAccepted(string Status);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static IEndpointRouteBuilder MapPasswordReset(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth/password-reset");
        api.MapPost("/", RequestAsync).RequireRateLimiting(RateLimits.Resend).AddEndpointFilter<UniformAnswerTime>();
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
        if (user is { EmailVerifiedAt: not null, IsActive: true, DeactivatedAt: null })
        {
            var recent = await db.PasswordResetTokens.Where(t => t.UserId == user.Id && t.CreatedAt > now.AddHours(-1))
                .Select(t => t.CreatedAt).ToListAsync(ct);
            // One link a minute and at most Identity:MaxResendsPerHour an hour: nobody can make an
            // address's inbox fill with reset emails.
            if (recent.Count < settings.MaxResendsPerHour && (recent.Count == 0 || now - recent.Max() >= settings.ResendCooldown))
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
        HttpRequest http, IdentityDb db, PasswordHashing hashing, LoginGuard guard, IOptions<AccountOptions> options, TimeProvider time,
        ILoggerFactory loggers, CancellationToken ct)
    {
        ResetConfirmation? request;
        try
        {
            request = await http.ReadFromJsonAsync<ResetConfirmation>(Json, ct);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or BadHttpRequestException)
        {
            return TypedResults.Problem("Send {\"token\": …, \"password\": …} (with \"username\" to finish a sign-up) as application/json.", statusCode: StatusCodes.Status400BadRequest, title: "Malformed request");
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
        var owner = await db.PasswordResetTokens.AsNoTracking().Where(t => t.TokenHash == hash).Select(t => (Guid?)t.UserId).SingleOrDefaultAsync(ct);
        if (owner is null)
        {
            return TokenProblem("token.invalid");
        }

        // Locks in one order everywhere: the user row, then its tokens (as sign-up, verification
        // and reset requests take them); two links of one account used at once then queue
        // instead of deadlocking.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var user = await db.Users.FromSql($"SELECT * FROM users WHERE id = {owner} FOR UPDATE").SingleOrDefaultAsync(ct);
        var stored = await db.PasswordResetTokens
            .FromSql($"SELECT * FROM password_reset_tokens WHERE token_hash = {hash} FOR UPDATE")
            .SingleOrDefaultAsync(ct);
        if (stored is null || user is null)
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

        if (user.DeactivatedAt is not null)
        {
            // A link sent before an admin closed the account must not hand it a fresh password.
            return TokenProblem("token.deactivated");
        }

        if (stored.CompletesSignup)
        {
            return await CompleteSignupAsync(http.HttpContext, db, hashing, guard, user, stored, request!, locale, options.Value, now, loggers, ct);
        }

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
        // Whoever held the old password may hold an admin token made with it: those die too.
        await AdminTokenRevocation.RevokeAsync(db, user.Id, AdminTokenRevocation.PasswordChanged, now, ct);
        await db.SaveChangesAsync(ct);
        // Whoever knew the old password is signed out too.
        await db.Sessions.Where(s => s.UserId == user.Id).ExecuteDeleteAsync(ct);
        // The lock strangers caused is lifted, and this browser becomes a known device.
        await guard.AfterPasswordResetAsync(http.HttpContext, user.Id, ct);
        await tx.CommitAsync(ct);
        LogReset(loggers.CreateLogger("SalesMind.Identity.PasswordReset"), user.Id);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The end of a contested sign-up: the person who opened a verification link (so owns the
    /// mailbox) chooses the username and password, and only now is the address verified. Whatever
    /// credentials any sign-up form submitted for this address are replaced.
    /// </summary>
    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> CompleteSignupAsync(
        HttpContext http, IdentityDb db, PasswordHashing hashing, LoginGuard guard, User user, PasswordResetToken stored, ResetConfirmation request, string locale,
        AccountOptions settings, DateTimeOffset now, ILoggerFactory loggers, CancellationToken ct)
    {
        if (user.EmailVerifiedAt is not null)
        {
            // Another set-password link of this sign-up was used first.
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["token"] = [Messages.Get("token.used", locale)] }, title: "Unusable link");
        }

        var username = RegistrationRules.NormalizeUsername(request.Username);
        var password = request.Password ?? "";
        var errors = new Dictionary<string, string[]>();
        if (RegistrationRules.UsernameProblem(username) is { } usernameProblem)
        {
            errors["username"] = [Messages.Get(usernameProblem, locale)];
        }

        if (RegistrationRules.PasswordProblem(password, username) is { } passwordProblem)
        {
            errors["password"] = [Messages.Get(passwordProblem, locale)];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Invalid username or password");
        }

        var normalized = username.ToLowerInvariant();
        if (await db.Users.AnyAsync(u => u.NormalizedUsername == normalized && u.Id != user.Id, ct))
        {
            return RegistrationEndpoints.UsernameTaken(locale);
        }

        user.Username = username;
        user.NormalizedUsername = normalized;
        user.PasswordHash = await hashing.HashAsync(password);
        user.FailedLogins = 0;
        user.LockedUntil = null;
        user.IsActive = true;
        user.EmailVerifiedAt = now;
        stored.UsedAt = now;
        var userLocale = await db.Profiles.Where(p => p.UserId == user.Id).Select(p => p.Locale).FirstOrDefaultAsync(ct) ?? Messages.DefaultLocale;
        db.AddOutboxMessage(new UserEmailVerified(user.Id, user.Email, now, user.Username, userLocale, settings.Url("/login.html")), now);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Someone signed up with that name a moment ago.
            return RegistrationEndpoints.UsernameTaken(locale);
        }

        // Every other link of this sign-up counts as used now: opening a verification link again
        // says "verified", as after any verification; another set-password link says "used".
        await db.VerificationTokens
            .Where(t => t.UserId == user.Id && t.UsedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.UsedAt, now), ct);
        await db.PasswordResetTokens
            .Where(t => t.UserId == user.Id && t.UsedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(t => t.UsedAt, now), ct);
        await db.Sessions.Where(s => s.UserId == user.Id).ExecuteDeleteAsync(ct);
        // A lock a stranger ran up on the pending account (with its sign-up name) is lifted, and
        // this browser, which just proved the mailbox, becomes a known device.
        await guard.AfterPasswordResetAsync(http, user.Id, ct);
        await db.Database.CommitTransactionAsync(ct);
        LogSignupCompleted(loggers.CreateLogger("SalesMind.Identity.PasswordReset"), user.Id);
        return TypedResults.NoContent();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} chose a username and password through a contested sign-up's link")]
    private static partial void LogSignupCompleted(ILogger logger, Guid userId);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} set a new password through a reset link")]
    private static partial void LogReset(ILogger logger, Guid userId);
}
