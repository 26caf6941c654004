using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.AdminTokens;
using SalesMind.Identity.Web;
using SalesMind.ServiceDefaults;

namespace SalesMind.Identity.Sessions;

/// <summary>Login, logout and "who am I" for the pages: a server-side session behind an HttpOnly cookie.</summary>
public static class SessionEndpoints
{
    public const string CookieName = "sm_session";

    public sealed record LoginRequest(string? UsernameOrEmail, string? Password, string? Locale);

    public sealed record Me(
        string Username, string Email, string Industry, string? SalesExperience, string? Purpose, string Locale, DateTimeOffset? EmailVerifiedAt,
        IReadOnlyList<string> Roles);

    public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn);

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
        HttpContext http, Authenticator authenticator, IWebHostEnvironment environment, CancellationToken ct)
    {
        var (request, malformed) = await Json.ReadAsync<LoginRequest>(http.Request, ct);
        if (malformed)
        {
            return Problems.Malformed("Send {\"username_or_email\": …, \"password\": …} as application/json.", "Malformed login");
        }

        var locale = Messages.LocaleOf(request?.Locale);
        var identifier = request?.UsernameOrEmail?.Trim() ?? "";
        var password = request?.Password ?? "";
        // No account name holds a control character (and PostgreSQL refuses a NUL in text).
        var badIdentifier = identifier.Length is 0 or > 254 || identifier.Any(char.IsControl);
        var badPassword = password.Length is 0 or > FieldRules.PasswordMax;
        if (badIdentifier || badPassword)
        {
            var errors = new Dictionary<string, string[]>();
            if (badIdentifier)
            {
                errors["username_or_email"] = [Messages.Pick(locale, "ユーザー名またはメールアドレスを入力してください。", "Enter your username or email address.")];
            }

            if (badPassword)
            {
                errors["password"] = [Messages.Get("password.required", locale)];
            }

            return TypedResults.ValidationProblem(errors, title: "Invalid login");
        }

        var outcome = await authenticator.LoginAsync(http, identifier, password, ct);
        switch (outcome.Result)
        {
            case LoginResult.Busy:
                return Problems.Busy(http);
            case LoginResult.Locked:
                return Locked(http, outcome.Wait, locale);
            case LoginResult.WrongPassword:
                return TypedResults.Problem(
                    Messages.Pick(locale, "ユーザー名・メールアドレスまたはパスワードが正しくありません。", "The username, email address or password is wrong."),
                    statusCode: StatusCodes.Status401Unauthorized, title: "Login failed");
            case LoginResult.Deactivated:
                return TypedResults.Problem(new ProblemDetails
                {
                    Status = StatusCodes.Status403Forbidden,
                    Title = "Account deactivated",
                    Detail = Messages.Pick(locale, "このアカウントは無効化されています。", "This account has been deactivated."),
                    Extensions = { ["code"] = "account_deactivated" },
                });
            case LoginResult.NotVerified:
                return TypedResults.Problem(new ProblemDetails
                {
                    Status = StatusCodes.Status403Forbidden,
                    Title = "Email address not verified",
                    Detail = Messages.Pick(locale,
                        "先にメールアドレスの確認を完了してください。お送りしたリンクを開くか、新しいリンクを請求してください。",
                        "Confirm your email address first: open the link we sent you, or ask for a new one."),
                    Extensions = { ["code"] = "email_not_verified", ["email"] = outcome.User!.Email },
                });
        }

        http.Response.Cookies.Append(CookieName, outcome.Token!, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            // Plain HTTP only on a developer's machine; anywhere else the cookie never travels unencrypted.
            Secure = !environment.IsDevelopment(),
            Path = "/",
            Expires = outcome.ExpiresAt,
        });
        return TypedResults.Ok(ToMe(outcome.User!));
    }

    internal static async Task<NoContent> LogoutAsync(HttpContext http, Authenticator authenticator, CancellationToken ct)
    {
        await authenticator.LogoutAsync(http.Request.Cookies[CookieName], ct);
        http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/" });
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<Me>, ProblemHttpResult>> MeAsync(HttpContext http, Authenticator authenticator, CancellationToken ct)
    {
        var user = await authenticator.CurrentUserAsync(http.Request.Cookies[CookieName], ct);
        return user is null
            ? TypedResults.Problem("Not signed in.", statusCode: StatusCodes.Status401Unauthorized, title: "Not signed in")
            : TypedResults.Ok(ToMe(user));
    }

    /// <summary>
    /// A signed admin bearer token (15 minutes) for a signed-in admin: for API clients and the
    /// Notifier's admin API, which accept no cookie. It names the account and carries its token
    /// version, so it dies when the admin is deactivated or loses the role.
    /// </summary>
    internal static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> TokenAsync(
        HttpContext http, Authenticator authenticator, AdminTokenIssuer issuer, CancellationToken ct)
    {
        // The answer is a credential: no browser or proxy cache may keep a copy.
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Pragma = "no-cache";
        var user = await authenticator.CurrentUserAsync(http.Request.Cookies[CookieName], ct);
        if (user is null)
        {
            return TypedResults.Problem("Log in first.", statusCode: StatusCodes.Status401Unauthorized, title: "Not signed in");
        }

        if (!user.IsActive || !user.Roles.Contains(AdminAuth.AdminRole))
        {
            return TypedResults.Problem("Only admins get tokens.", statusCode: StatusCodes.Status403Forbidden, title: "Not an admin");
        }

        var lifetime = AdminTokenIssuer.DefaultLifetime;
        return TypedResults.Ok(new TokenResponse(issuer.Issue(user, lifetime), "Bearer", (int)lifetime.TotalSeconds));
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
            Messages.Pick(locale, "ログインの失敗が続いたため、しばらくログインできません。時間をおくか、パスワードを再設定してください。", "Too many failed attempts: try again later, or reset your password."),
            statusCode: StatusCodes.Status429TooManyRequests, title: "Too many attempts");
    }
}
