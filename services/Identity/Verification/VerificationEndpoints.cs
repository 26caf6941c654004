using Microsoft.AspNetCore.Http.HttpResults;
using SalesMind.Identity.Data;
using SalesMind.Identity.DeliveryReports;
using SalesMind.Identity.Web;

namespace SalesMind.Identity.Verification;

public static class VerificationEndpoints
{
    public static IEndpointRouteBuilder MapVerification(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth").WithTags("Sign-up");
        api.MapGet("/verify-email/", VerifyEmailAsync)
            .WithSummary("The link in the verification email: verifies the address and redirects to a page")
            .WithDescription($"Always a 302: to `{VerifyOutcome.SuccessPage}`, to `{VerifyOutcome.ErrorPage}` for an unknown, used or expired link, " +
                $"or to `{VerifyOutcome.ChooseCredentialsPage}` when the sign-up was contested and the person must choose a password.")
            .Produces(StatusCodes.Status302Found)
            .WithParameterExample("token", "example-token-from-the-email");
        api.MapPost("/resend-verification/", ResendAsync).RequireRateLimiting(RateLimits.Resend).AddEndpointFilter<UniformAnswerTime>()
            .WithSummary("Email a new verification link to an address waiting for one")
            .WithDescription("Always the same 202, in the same time, whether or not such an account exists. Sets the receipt cookie " +
                "`sm_mail`. No session, so no `X-CSRF` header.")
            .WithRequestBody<EmailRequest>("application/json")
            .WithExample(new EmailRequest("hanako@example.com", "en"), new ResendResponse("accepted"), StatusCodes.Status202Accepted);
        api.MapVerificationCode();
        return app;
    }

    public sealed record ResendResponse(string Status);

    /// <summary>What the resend handler needs besides the request.</summary>
    public sealed record ResendServices(Verifier Verifier, IdentityDb Db, TimeProvider Time, IWebHostEnvironment Environment);

    /// <summary>
    /// A new verification link for an address whose account is waiting for it. Always the same
    /// 202, whether or not such an account exists.
    /// </summary>
    internal static async Task<Results<Accepted<ResendResponse>, ValidationProblem, ProblemHttpResult>> ResendAsync(
        HttpRequest http, [AsParameters] ResendServices services, CancellationToken ct)
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

        var mailed = await services.Verifier.ResendAsync(read.Email, read.Locale, ct);
        // A receipt whether or not an email went out: the same answer for every address.
        services.Db.ChangeTracker.Clear();
        await MailReceipts.IssueAsync(http.HttpContext, services.Db, mailed, services.Time.GetUtcNow(), !services.Environment.IsDevelopment(), ct);
        return TypedResults.Accepted((string?)null, new ResendResponse("accepted"));
    }

    /// <summary>The link in the email. Always a redirect to a page, whatever the token.</summary>
    internal static async Task<RedirectHttpResult> VerifyEmailAsync(string? token, Verifier verifier, CancellationToken ct) =>
        TypedResults.Redirect((await verifier.VerifyAsync(token, ct)).Location);
}
