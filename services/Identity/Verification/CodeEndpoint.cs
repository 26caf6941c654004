using Microsoft.AspNetCore.Http.HttpResults;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Security;
using SalesMind.Identity.Web;

namespace SalesMind.Identity.Verification;

/// <summary>The 6-digit code from the verification email, typed on a page: <c>{email, code, locale}</c>.</summary>
public sealed record CodeRequest(string? Email, string? Code, string? Locale)
{
    public static readonly IReadOnlySet<string> Fields = new HashSet<string>(StringComparer.Ordinal) { "email", "code", "locale" };
}

/// <summary>Where the page goes next: <c>verified</c> (to log in) or <c>choose_credentials</c> (a contested sign-up).</summary>
public sealed record CodeResponse(string Status, string Next);

/// <summary><c>POST /api/auth/verify-email/code/</c>: the code does what the link of the same email does.</summary>
public static class CodeEndpoint
{
    public const string Path = "/verify-email/code/";

    public static RouteGroupBuilder MapVerificationCode(this RouteGroupBuilder api)
    {
        api.MapPost(Path, VerifyCodeAsync).RequireCsrfHeader().RequireRateLimiting(RateLimits.VerifyCode).AddEndpointFilter<UniformAnswerTime>()
            .WithSummary("Verify the address with the 6-digit code of the verification email, instead of its link")
            .WithDescription("JSON (or form-encoded) with `X-CSRF: 1`. 200 with the page to go to: where the link leads (`/email_verified.html`), or for a contested " +
                "sign-up the page where the mailbox's owner chooses the credentials. The code is that of the newest email and dies with " +
                "its link (same expiry, single use, revoked by a newer email). One 400 for every refusal, in the same time, whether the " +
                "code is wrong or no account waits for one: `reason` is `wrong`, or `resend` after " +
                "`Identity:MaxCodeAttempts` wrong codes for the address (then only a new email's code works). Full-width digits, " +
                "spaces and hyphens are accepted. 429 with Retry-After past `RateLimits:VerifyCodePerMinute` per client.")
            .WithRequestBody<CodeRequest>("application/json", "application/x-www-form-urlencoded")
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithExample(new CodeRequest("hanako@example.com", "123456", "en"), new CodeResponse("verified", VerifyOutcome.SuccessPage))
            .WithExample(response: ApiDocs.Problem(StatusCodes.Status400BadRequest, "Code not accepted", Messages.Get("code.wrong", "en"),
                new Dictionary<string, string[]> { ["code"] = [Messages.Get("code.wrong", "en")] },
                new Dictionary<string, object?> { ["reason"] = CodeOutcome.Wrong }), status: StatusCodes.Status400BadRequest);
        return api;
    }

    internal static async Task<Results<Ok<CodeResponse>, ValidationProblem, ProblemHttpResult>> VerifyCodeAsync(
        HttpRequest http, Verifier verifier, CancellationToken ct)
    {
        Dictionary<string, string?> values;
        Dictionary<string, string> errors;
        try
        {
            (values, errors) = await RequestBody.ReadFormAsync(http, CodeRequest.Fields, ct);
        }
        catch (BadRequestBodyException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: ex.Status, title: ex.Title);
        }

        var locale = Messages.LocaleOf(values.GetValueOrDefault("locale"));
        var email = values.GetValueOrDefault("email")?.Trim() ?? "";
        var code = values.GetValueOrDefault("code")?.Trim() ?? "";
        if (!errors.ContainsKey("email") && !FieldRules.IsEmail(email))
        {
            errors["email"] = email.Length == 0 ? "email.required" : "email.invalid";
        }

        if (!errors.ContainsKey("code") && OneTimeCode.Normalize(code) is null)
        {
            errors["code"] = code.Length == 0 ? "code.required" : "code.format";
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(Problems.Texts(errors, locale),
                detail: Messages.Pick(locale, "入力内容を確認してください。", "Some fields need attention."), title: "Invalid request");
        }

        var outcome = await verifier.VerifyCodeAsync(email, code, ct);
        if (outcome.Verified)
        {
            return TypedResults.Ok(new CodeResponse(outcome.Status, outcome.Next!));
        }

        var key = outcome.Refusal == CodeOutcome.ResendNeeded ? "code.resend" : "code.wrong";
        return TypedResults.ValidationProblem(Problems.Texts(new Dictionary<string, string> { ["code"] = key }, locale),
            detail: Messages.Get(key, locale), title: "Code not accepted",
            extensions: new Dictionary<string, object?> { ["reason"] = outcome.Refusal });
    }
}
