using Microsoft.AspNetCore.Http.HttpResults;
using SalesMind.Identity.Sessions;
using SalesMind.Identity.Web;

namespace SalesMind.Identity.Profile;

/// <summary>The signed-in owner's profile (<see cref="ProfileEditor"/>) and password (<see cref="PasswordChanger"/>).</summary>
public static class ProfileEndpoints
{
    public sealed record ProfileRequest(string? Industry, string? SalesExperience, string? Purpose, string? Locale);

    public sealed record PasswordRequest(string? CurrentPassword, string? NewPassword);

    public sealed record PasswordChanged(int OtherSessionsEnded);

    private static readonly IReadOnlySet<string> PasswordFields = new HashSet<string>(StringComparer.Ordinal) { "current_password", "new_password" };

    public static IEndpointRouteBuilder MapProfile(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/account").WithTags("Account");
        var profile = new ProfileValues("software", "3_to_5_years", "Close more renewals", "ja");
        var invalid = ApiDocs.Problem(StatusCodes.Status400BadRequest, "Invalid profile", "Some fields need attention.",
            errors: new Dictionary<string, string[]> { ["industry"] = ["Choose a valid industry."], ["nickname"] = ["This field is not accepted."] });
        api.MapGet("/profile/", GetAsync).WithSessionCookie()
            .WithSummary("The signed-in account's profile: industry, sales experience, purpose and the language of its emails")
            .WithExample(response: profile);
        api.MapPut("/profile/", PutAsync).RequireCsrfHeader().WithSessionCookie()
            .WithSummary("Replace the profile; the sign-up's rules and messages, every change audited")
            .WithDescription("The fields and rules of the sign-up form (choices from `/api/auth/industries/`); a field left out takes " +
                "the sign-up's default (no sales experience, no purpose, `ja`). Unknown fields are refused. Messages follow " +
                "`Accept-Language` (`ja` or `en`), else the account's language. Needs `X-CSRF: 1`.")
            .WithRequestBody<ProfileRequest>("application/json", "application/x-www-form-urlencoded")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .WithExample(new ProfileRequest("software", "3_to_5_years", "Close more renewals", "en"), profile with { Locale = "en" })
            .WithExample(response: invalid, status: StatusCodes.Status400BadRequest);
        api.MapPatch("/profile/", PatchAsync).RequireCsrfHeader().WithSessionCookie()
            .WithSummary("Change some profile fields; the others stay")
            .WithDescription("As PUT, but only the fields sent change (`null` clears an optional one). Needs `X-CSRF: 1`.")
            .WithRequestBody<ProfileRequest>("application/json", "application/x-www-form-urlencoded")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .WithExample(new Dictionary<string, string> { ["locale"] = "en" }, profile with { Locale = "en" })
            .WithExample(response: invalid, status: StatusCodes.Status400BadRequest);
        api.MapPost("/password/", ChangePasswordAsync).RequireCsrfHeader().WithSessionCookie().RequireRateLimiting(RateLimits.Login)
            .WithSummary("Change the password: needs the current one; every other session ends and the owner is emailed")
            .WithDescription("The new password follows the sign-up's rules and may not resemble the email address. A wrong current " +
                "password counts against the account like a failed login: after 5, 429 with Retry-After (whole minutes), as at login. " +
                "On success only this session stays signed in (under a new cookie), the account's admin tokens stop working and a " +
                "notice is emailed. " +
                "Needs `X-CSRF: 1`.")
            .WithRequestBody<PasswordRequest>("application/json")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithExample(new PasswordRequest("example-old-password", "example-new-password-only"), new PasswordChanged(2))
            .WithExample(response: ApiDocs.Problem(StatusCodes.Status400BadRequest, "Invalid password change", "Some fields need attention.",
                errors: new Dictionary<string, string[]> { ["current_password"] = ["The current password is wrong."] }), status: StatusCodes.Status400BadRequest)
            .WithExample(response: ApiDocs.Problem(StatusCodes.Status429TooManyRequests, "Too many attempts",
                "Too many wrong passwords: try again later, or reset your password."), status: StatusCodes.Status429TooManyRequests);
        return app;
    }

    internal static async Task<Results<Ok<ProfileValues>, ProblemHttpResult>> GetAsync(HttpContext http, Authenticator authenticator, CancellationToken ct)
    {
        if (await authenticator.SignedInAsync(http, ct) is not { } me)
        {
            return AccountAnswers.NotSignedIn(AccountAnswers.Locale(http.Request, null));
        }

        return TypedResults.Ok(ProfileEditor.Of(me.User.Profile));
    }

    internal static Task<Results<Ok<ProfileValues>, ValidationProblem, ProblemHttpResult>> PutAsync(
        HttpContext http, Authenticator authenticator, ProfileEditor editor, CancellationToken ct) =>
        UpdateAsync(http, authenticator, editor, replace: true, ct);

    internal static Task<Results<Ok<ProfileValues>, ValidationProblem, ProblemHttpResult>> PatchAsync(
        HttpContext http, Authenticator authenticator, ProfileEditor editor, CancellationToken ct) =>
        UpdateAsync(http, authenticator, editor, replace: false, ct);

    private static async Task<Results<Ok<ProfileValues>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        HttpContext http, Authenticator authenticator, ProfileEditor editor, bool replace, CancellationToken ct)
    {
        if (await authenticator.SignedInAsync(http, ct) is not { } me)
        {
            return AccountAnswers.NotSignedIn(AccountAnswers.Locale(http.Request, null));
        }

        var locale = AccountAnswers.Locale(http.Request, me.User.Profile?.Locale);
        Dictionary<string, string?> values;
        Dictionary<string, string> errors;
        try
        {
            (values, errors) = await RequestBody.ReadFormAsync(http.Request, ProfileRules.Fields, ct);
        }
        catch (BadRequestBodyException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: ex.Status, title: ex.Title);
        }

        var updated = await editor.UpdateAsync(me, values, replace, errors, ct);
        if (updated is null)
        {
            return TypedResults.ValidationProblem(Problems.Texts(errors, locale),
                detail: Messages.Pick(locale, "入力内容を確認してください。", "Some fields need attention."), title: "Invalid profile");
        }

        return TypedResults.Ok(updated);
    }

    internal static async Task<Results<Ok<PasswordChanged>, ValidationProblem, ProblemHttpResult>> ChangePasswordAsync(
        HttpContext http, Authenticator authenticator, PasswordChanger changer, IWebHostEnvironment environment, CancellationToken ct)
    {
        if (await authenticator.SignedInAsync(http, ct) is not { } me)
        {
            return AccountAnswers.NotSignedIn(AccountAnswers.Locale(http.Request, null));
        }

        var locale = AccountAnswers.Locale(http.Request, me.User.Profile?.Locale);
        Dictionary<string, string?> values;
        Dictionary<string, string> errors;
        try
        {
            (values, errors) = await RequestBody.ReadFormAsync(http.Request, PasswordFields, ct);
        }
        catch (BadRequestBodyException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: ex.Status, title: ex.Title);
        }

        var detail = Messages.Pick(locale, "入力内容を確認してください。", "Some fields need attention.");
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(Problems.Texts(errors, locale), detail: detail, title: "Invalid password change");
        }

        var outcome = await changer.ChangeAsync(http, me, values.GetValueOrDefault("current_password") ?? "", values.GetValueOrDefault("new_password") ?? "", ct);
        switch (outcome.Result)
        {
            case PasswordChangeResult.Invalid:
                return Problems.Field(outcome.Field!, outcome.Problem!, locale, "Invalid password change");
            case PasswordChangeResult.WrongPassword:
                return TypedResults.ValidationProblem(
                    new Dictionary<string, string[]> { ["current_password"] = [Messages.Pick(locale, "現在のパスワードが正しくありません。", "The current password is wrong.")] },
                    detail: detail, title: "Invalid password change");
            case PasswordChangeResult.Locked:
                var minutes = Math.Max(1, (int)Math.Ceiling(outcome.Wait.TotalMinutes));
                http.Response.Headers.RetryAfter = (minutes * 60).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Problem(
                    Messages.Pick(locale, "パスワードの誤りが続いたため、しばらく変更できません。時間をおくか、パスワードを再設定してください。",
                        "Too many wrong passwords: try again later, or reset your password."),
                    statusCode: StatusCodes.Status429TooManyRequests, title: "Too many attempts");
            case PasswordChangeResult.Busy:
                return Problems.Busy(http, outcome.Wait);
            case PasswordChangeResult.SessionEnded:
                return AccountAnswers.NotSignedIn(locale);
        }

        SessionEndpoints.AppendSessionCookie(http, environment, outcome.SessionToken!, outcome.SessionExpiresAt);
        return TypedResults.Ok(new PasswordChanged(outcome.OtherSessionsEnded));
    }
}
