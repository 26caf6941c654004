using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.AdminTokens;
using SalesMind.Identity.Data;
using SalesMind.Identity.Registration;
using SalesMind.Identity.Verification;

namespace SalesMind.Identity.Sessions;

/// <summary>Login, logout and "who am I" for the pages: a server-side session behind an HttpOnly cookie.</summary>
public static partial class SessionEndpoints
{
    public const string CookieName = "sm_session";

    public sealed record LoginRequest(string? UsernameOrEmail, string? Password, string? Locale);

    public sealed record Me(
        string Username, string Email, string Industry, string? SalesExperience, string? Purpose, string Locale, DateTimeOffset? EmailVerifiedAt,
        IReadOnlyList<string> Roles);

    public static IEndpointRouteBuilder MapSessions(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth");
        api.MapPost("/login/", LoginAsync).AddEndpointFilter<CsrfHeaderFilter>().RequireRateLimiting(RateLimits.Login);
        api.MapPost("/logout/", LogoutAsync).AddEndpointFilter<CsrfHeaderFilter>();
        api.MapGet("/me/", MeAsync);
        api.MapPost("/token/", TokenAsync).AddEndpointFilter<CsrfHeaderFilter>();
        return app;
    }

    internal static async Task<Results<Ok<Me>, ValidationProblem, ProblemHttpResult>> LoginAsync(
        HttpContext http, IdentityDb db, PasswordHashing hashing, LoginThrottle throttle, IOptions<AccountOptions> options,
        IWebHostEnvironment environment, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        LoginRequest? request;
        try
        {
            request = await http.Request.ReadFromJsonAsync<LoginRequest>(LoginJson, ct);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or BadHttpRequestException)
        {
            return TypedResults.Problem("Send {\"username_or_email\": …, \"password\": …} as application/json.",
                statusCode: StatusCodes.Status400BadRequest, title: "Malformed login");
        }

        var locale = RegistrationRules.LocaleOf(request?.Locale);
        var identifier = request?.UsernameOrEmail?.Trim() ?? "";
        var password = request?.Password ?? "";
        if (identifier.Length is 0 or > 254 || password.Length is 0 or > RegistrationRules.PasswordMax)
        {
            var errors = new Dictionary<string, string[]>();
            if (identifier.Length is 0 or > 254)
            {
                errors["username_or_email"] = [locale == "en" ? "Enter your username or email address." : "ユーザー名またはメールアドレスを入力してください。"];
            }

            if (password.Length is 0 or > RegistrationRules.PasswordMax)
            {
                errors["password"] = [Messages.Get("password.required", locale)];
            }

            return TypedResults.ValidationProblem(errors, title: "Invalid login");
        }

        var settings = options.Value;
        var now = time.GetUtcNow();
        var normalized = identifier.ToLowerInvariant();
        // By address when it has an @, by username otherwise: never both (a username shaped like
        // someone's address would make two matches, and pick or crash).
        var user = await db.Users.Include(u => u.Profile).FindByIdentifierAsync(identifier, ct);

        if (user?.LockedUntil > now)
        {
            return Locked(http, user.LockedUntil.Value - now, locale);
        }

        // An unknown name costs the same hash work as a wrong password: the time taken must not
        // tell whether an account exists.
        var ok = await hashing.VerifyAsync(user?.PasswordHash, password);
        var log = loggers.CreateLogger("SalesMind.Identity.Sessions");
        if (user is null || !ok)
        {
            // The same statement whether or not the account exists (for an unknown name it
            // matches no row), without waiting for the disk: the time taken must not tell the two
            // apart, and a counter lost in a crash only forgives one attempt.
            var lockedUntil = now + settings.LockoutDuration;
            await using (var tx = await db.Database.BeginTransactionAsync(ct))
            {
                await db.Database.ExecuteSqlRawAsync("SET LOCAL synchronous_commit TO OFF", ct);
                await db.Database.ExecuteSqlAsync($"""
                    UPDATE users
                       SET failed_logins = CASE WHEN failed_logins + 1 >= {settings.MaxFailedLogins} THEN 0 ELSE failed_logins + 1 END,
                           locked_until = CASE WHEN failed_logins + 1 >= {settings.MaxFailedLogins} THEN {lockedUntil} ELSE locked_until END
                     WHERE id = {user?.Id ?? Guid.Empty}
                    """, ct);
                await tx.CommitAsync(ct);
            }

            if (user is not null && user.FailedLogins + 1 >= settings.MaxFailedLogins)
            {
                LogLocked(log, user.Id);
            }

            await Task.Delay(throttle.RecordFailure(normalized), time, ct);

            return TypedResults.Problem(
                locale == "en" ? "The username, email address or password is wrong." : "ユーザー名・メールアドレスまたはパスワードが正しくありません。",
                statusCode: StatusCodes.Status401Unauthorized, title: "Login failed");
        }

        user.FailedLogins = 0;
        user.LockedUntil = null;
        throttle.RecordSuccess(normalized);
        if (user is { DeactivatedAt: not null } or { EmailVerifiedAt: not null, IsActive: false })
        {
            await db.SaveChangesAsync(ct);
            return TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Title = "Account deactivated",
                Detail = locale == "en" ? "This account has been deactivated." : "このアカウントは無効化されています。",
                Extensions = { ["code"] = "account_deactivated" },
            });
        }

        if (user.EmailVerifiedAt is null || !user.IsActive)
        {
            await db.SaveChangesAsync(ct);
            // Only after the right password: the owner learns why, nobody else learns anything.
            return TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Title = "Email address not verified",
                Detail = locale == "en"
                    ? "Confirm your email address first: open the link we sent you, or ask for a new one."
                    : "先にメールアドレスの確認を完了してください。お送りしたリンクを開くか、新しいリンクを請求してください。",
                Extensions = { ["code"] = "email_not_verified", ["email"] = user.Email },
            });
        }

        var (token, hash) = VerificationToken.Create();
        db.Sessions.Add(new Session { Id = Guid.CreateVersion7(now), UserId = user.Id, TokenHash = hash, CreatedAt = now, ExpiresAt = now + settings.SessionLifetime });
        await db.SaveChangesAsync(ct);
        http.Response.Cookies.Append(CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            // Plain HTTP only on a developer's machine; anywhere else the cookie never travels unencrypted.
            Secure = !environment.IsDevelopment(),
            Path = "/",
            Expires = now + settings.SessionLifetime,
        });
        LogLoggedIn(log, user.Id);
        return TypedResults.Ok(ToMe(user));
    }

    internal static async Task<NoContent> LogoutAsync(HttpContext http, IdentityDb db, CancellationToken ct)
    {
        if (http.Request.Cookies.TryGetValue(CookieName, out var token) && VerificationToken.IsWellFormed(token))
        {
            var hash = VerificationToken.Hash(token);
            await db.Sessions.Where(s => s.TokenHash == hash).ExecuteDeleteAsync(ct);
        }

        http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/" });
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<Me>, ProblemHttpResult>> MeAsync(HttpContext http, IdentityDb db, TimeProvider time, CancellationToken ct)
    {
        var user = await CurrentUserAsync(http, db, time, ct);
        return user is null
            ? TypedResults.Problem("Not signed in.", statusCode: StatusCodes.Status401Unauthorized, title: "Not signed in")
            : TypedResults.Ok(ToMe(user));
    }

    public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn);

    /// <summary>
    /// A signed admin bearer token (15 minutes) for a signed-in admin: for API clients and the
    /// Notifier's admin API, which accept no cookie. It names the account and carries its token
    /// version, so it dies when the admin is deactivated or loses the role.
    /// </summary>
    internal static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> TokenAsync(
        HttpContext http, IdentityDb db, TimeProvider time, AdminTokenIssuer issuer, CancellationToken ct)
    {
        // The answer is a credential: no browser or proxy cache may keep a copy.
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Pragma = "no-cache";
        var user = await CurrentUserAsync(http, db, time, ct);
        if (user is null)
        {
            return TypedResults.Problem("Log in first.", statusCode: StatusCodes.Status401Unauthorized, title: "Not signed in");
        }

        if (!user.IsActive || !user.Roles.Contains(SalesMind.ServiceDefaults.AdminAuth.AdminRole))
        {
            return TypedResults.Problem("Only admins get tokens.", statusCode: StatusCodes.Status403Forbidden, title: "Not an admin");
        }

        var lifetime = AdminTokenIssuer.DefaultLifetime;
        var token = issuer.Issue(user, lifetime);
        return TypedResults.Ok(new TokenResponse(token, "Bearer", (int)lifetime.TotalSeconds));
    }

    /// <summary>The user of the request's session cookie, if it is valid and not expired.</summary>
    public static async Task<User?> CurrentUserAsync(HttpContext http, IdentityDb db, TimeProvider time, CancellationToken ct)
    {
        if (!http.Request.Cookies.TryGetValue(CookieName, out var token) || !VerificationToken.IsWellFormed(token))
        {
            return null;
        }

        var hash = VerificationToken.Hash(token);
        var now = time.GetUtcNow();
        var userId = await db.Sessions
            .Where(s => s.TokenHash == hash && s.ExpiresAt > now)
            .Select(s => (Guid?)s.UserId)
            .SingleOrDefaultAsync(ct);
        return userId is null ? null : await db.Users.Include(u => u.Profile).SingleOrDefaultAsync(u => u.Id == userId, ct);
    }

    private static Me ToMe(User user) => new(
        user.Username, user.Email, user.Profile?.Industry ?? "", user.Profile?.SalesExperience, user.Profile?.Purpose,
        user.Profile?.Locale ?? Messages.DefaultLocale, user.EmailVerifiedAt, user.Roles);

    private static ProblemHttpResult Locked(HttpContext http, TimeSpan wait, string locale)
    {
        var seconds = (int)Math.Ceiling(wait.TotalSeconds);
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            locale == "en" ? "Too many wrong passwords: this account is locked for a while." : "パスワードの誤りが続いたため、しばらくログインできません。",
            statusCode: StatusCodes.Status429TooManyRequests, title: "Account temporarily locked");
    }

    private static readonly JsonSerializerOptions LoginJson = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} logged in")]
    private static partial void LogLoggedIn(ILogger logger, Guid userId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "User {UserId} locked after too many wrong passwords")]
    private static partial void LogLocked(ILogger logger, Guid userId);
}
