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
        HttpContext http, IdentityDb db, LoginGuard guard, IOptions<AccountOptions> options,
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
        // No account name holds a control character (and PostgreSQL refuses a NUL in text).
        var badIdentifier = identifier.Length is 0 or > 254 || identifier.Any(char.IsControl);
        if (badIdentifier || password.Length is 0 or > RegistrationRules.PasswordMax)
        {
            var errors = new Dictionary<string, string[]>();
            if (badIdentifier)
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
        // The same normal form the lookup uses (NFKC, lower case): an unknown name is counted under
        // the key its account would have, so a full-width spelling cannot tell the two apart.
        var normalized = AccountLookup.Parse(identifier).Normalized;
        // By address when it has an @, by username otherwise: never both (a username shaped like
        // someone's address would make two matches, and pick or crash).
        var user = await db.Users.Include(u => u.Profile).FindByIdentifierAsync(identifier, ct);

        // The lock, the count and the password check live in the guard; here only their answers.
        var check = await guard.CheckAsync(http, user, normalized, password, ct);
        if (check.Verdict == LoginVerdict.Busy)
        {
            return Busy(http);
        }

        if (check.Verdict == LoginVerdict.Locked)
        {
            return Locked(http, check.Wait, locale);
        }

        if (check.Verdict != LoginVerdict.Verified || user is null)
        {
            await Task.Delay(check.Wait, time, ct);
            return TypedResults.Problem(
                locale == "en" ? "The username, email address or password is wrong." : "ユーザー名・メールアドレスまたはパスワードが正しくありません。",
                statusCode: StatusCodes.Status401Unauthorized, title: "Login failed");
        }

        var log = loggers.CreateLogger("SalesMind.Identity.Sessions");
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
        if (!check.FromKnownDevice)
        {
            // From now on this browser's own failures are counted apart from strangers'.
            await guard.RememberDeviceAsync(http, user.Id, ct);
        }

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

    /// <summary>
    /// The one answer for a locked account, a throttled unknown name and a locked device: the
    /// same status, body and header, so the lock says nothing about who exists. Retry-After is
    /// rounded up to whole minutes: exact seconds would differ by when each lock began.
    /// </summary>
    private static ProblemHttpResult Locked(HttpContext http, TimeSpan wait, string locale)
    {
        var minutes = Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes));
        http.Response.Headers.RetryAfter = (minutes * 60).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            locale == "en" ? "Too many failed attempts: try again later, or reset your password." : "ログインの失敗が続いたため、しばらくログインできません。時間をおくか、パスワードを再設定してください。",
            statusCode: StatusCodes.Status429TooManyRequests, title: "Too many attempts");
    }

    private static ProblemHttpResult Busy(HttpContext http)
    {
        http.Response.Headers.RetryAfter = "1";
        return TypedResults.Problem(PasswordHashingBusy.Detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: PasswordHashingBusy.Title);
    }

    private static readonly JsonSerializerOptions LoginJson = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} logged in")]
    private static partial void LogLoggedIn(ILogger logger, Guid userId);
}
