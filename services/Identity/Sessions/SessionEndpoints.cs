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
        var api = app.MapGroup("/api/auth").WithTags("Session");
        var me = new Me("hanako_sato", "hanako@example.com", "software", "3_5", "Close more renewals", "ja",
            new DateTimeOffset(2026, 11, 28, 9, 5, 0, TimeSpan.Zero), ["user"]);
        api.MapPost("/login/", LoginAsync).RequireCsrfHeader().RequireRateLimiting(RateLimits.Login)
            .WithSummary("Log in with a username or email address; sets the session cookie")
            .WithDescription($"Answers the account and sets the HttpOnly cookie `{CookieName}`. A wrong name or password is one 401 " +
                "whichever was wrong. Repeated failures lock the account, the name or the device for a while: 429 with Retry-After " +
                "in whole minutes, the same answer for all three. 403 `email_not_verified` (with the address, to ask for a new link) " +
                "or `account_deactivated`. Needs `X-CSRF: 1`.")
            .WithRequestBody<LoginRequest>("application/json")
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithExample(new LoginRequest("hanako@example.com", "example-password-only", "ja"), me)
            .WithExample(response: ApiDocs.Problem(StatusCodes.Status400BadRequest, "Invalid login",
                errors: new Dictionary<string, string[]> { ["password"] = ["Enter your password."] }), status: StatusCodes.Status400BadRequest)
            .WithExample(response: ApiDocs.Problem(StatusCodes.Status401Unauthorized, "Login failed", "The username, email address or password is wrong."),
                status: StatusCodes.Status401Unauthorized)
            .WithExample(response: ApiDocs.Problem(StatusCodes.Status403Forbidden, "Email address not verified",
                "Confirm your email address first: open the link we sent you, or ask for a new one.",
                extensions: new Dictionary<string, object?> { ["code"] = "email_not_verified", ["email"] = "hanako@example.com" }), status: StatusCodes.Status403Forbidden)
            .WithExample(response: ApiDocs.Problem(StatusCodes.Status429TooManyRequests, "Too many attempts",
                "Too many failed attempts: try again later, or reset your password."), status: StatusCodes.Status429TooManyRequests);
        api.MapPost("/logout/", LogoutAsync).RequireCsrfHeader()
            .WithSummary("Log out: ends the session and clears its cookie")
            .WithDescription("Always 204, signed in or not. Needs `X-CSRF: 1`.")
            .WithMetadata(new SessionCookieMetadata());
        api.MapGet("/me/", MeAsync).WithSessionCookie()
            .WithSummary("The signed-in account")
            .WithDescription("What the pages show of the account behind the session cookie; 401 without a live session.")
            .WithExample(response: me);
        api.MapPost("/token/", TokenAsync).RequireCsrfHeader().WithSessionCookie()
            .WithSummary("A 15-minute admin bearer token for the signed-in admin")
            .WithDescription("For API clients and the Notifier's admin API, which accept no cookie. The token names the account and " +
                "its token version: it stops working when the admin is deactivated or loses the role. Answered with " +
                "`Cache-Control: no-store`. 403 for a signed-in non-admin (or without `X-CSRF: 1`).")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .WithExample(response: new TokenResponse("eyJhbGciOiJSUzI1NiJ9.example-payload.example-signature", "Bearer", 900))
            .WithExample(response: ApiDocs.Problem(StatusCodes.Status403Forbidden, "Not an admin", "Only admins get tokens."), status: StatusCodes.Status403Forbidden);
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
                return Problems.Busy(http, outcome.Wait);
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

        AppendSessionCookie(http, environment, outcome.Token!, outcome.ExpiresAt);
        return TypedResults.Ok(ToMe(outcome.User!));
    }

    /// <summary>Gives the browser the session cookie <paramref name="token"/> (at login, and when a password change renews it).</summary>
    public static void AppendSessionCookie(HttpContext http, IWebHostEnvironment environment, string token, DateTimeOffset expiresAt) =>
        http.Response.Cookies.Append(CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            // Plain HTTP only on a developer's machine; anywhere else the cookie never travels unencrypted.
            Secure = !environment.IsDevelopment(),
            Path = "/",
            Expires = expiresAt,
        });

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
