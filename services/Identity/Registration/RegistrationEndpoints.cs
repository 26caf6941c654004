using Microsoft.AspNetCore.Http.HttpResults;
using SalesMind.Identity.Data;
using SalesMind.Identity.DeliveryReports;
using SalesMind.Identity.Web;

namespace SalesMind.Identity.Registration;

public static class RegistrationEndpoints
{
    public const string Accepted = "verification_email_sent";

    public static IEndpointRouteBuilder MapRegistration(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/auth").WithTags("Sign-up");
        api.MapPost("/register/", RegisterAsync).RequireRateLimiting(RateLimits.Register)
            .WithSummary("Sign up: stores the account and emails a verification link")
            .WithDescription("JSON or an HTML form. 202 whether or not the address already has an account (that address gets an email " +
                "saying so instead), so the answer says nothing about who is registered. 400 names every field that needs attention; " +
                "409 when the username is taken. Sets the HttpOnly receipt cookie `sm_mail` that `GET /api/auth/email-status/` reads. " +
                "No session, so no `X-CSRF` header.")
            .WithRequestBody<RegisterRequest>("application/json", "application/x-www-form-urlencoded")
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithExample(new RegisterRequest("hanako_sato", "hanako@example.com", "example-password-only", "software", "3_5", "Close more renewals", "ja"),
                new RegisterResponse("hanako@example.com", Accepted), StatusCodes.Status202Accepted)
            .WithExample(response: ApiDocs.Problem(StatusCodes.Status400BadRequest, "Invalid registration", "Some fields need attention.",
                new Dictionary<string, string[]>
                {
                    ["username"] = ["Use 3 to 30 letters, digits or underscores."],
                    ["password"] = ["This password is too common; choose another."],
                }), status: StatusCodes.Status400BadRequest);
        api.MapGet("/industries/", GetChoices)
            .WithSummary("The industries and sales-experience ranges a sign-up chooses from, with Japanese and English labels")
            .WithDescription("The values to send as `industry` and `sales_experience`.")
            .WithExample(response: new ChoicesResponse(Catalog.Industries.Take(2).ToList(), Catalog.SalesExperiences.Take(2).ToList()));
        return app;
    }

    public sealed record ChoicesResponse(IReadOnlyList<Choice> Industries, IReadOnlyList<Choice> SalesExperiences);

    /// <summary>What a sign-up handler needs besides the request.</summary>
    public sealed record SignupServices(Registrar Registrar, IdentityDb Db, TimeProvider Time, IWebHostEnvironment Environment);

    private static Ok<ChoicesResponse> GetChoices() =>
        TypedResults.Ok(new ChoicesResponse(Catalog.Industries, Catalog.SalesExperiences));

    internal static async Task<Results<Accepted<RegisterResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        HttpRequest http, [AsParameters] SignupServices services, CancellationToken ct)
    {
        Dictionary<string, string?> values;
        Dictionary<string, string> errors;
        try
        {
            (values, errors) = await RequestBody.ReadFormAsync(http, RegisterRequest.Fields, ct);
        }
        catch (BadRequestBodyException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: ex.Status, title: ex.Title);
        }

        var request = RegisterRequest.From(values);
        var locale = Messages.LocaleOf(request.Locale);
        var registration = RegistrationRules.Validate(request, errors);
        if (registration is null || errors.Count > 0)
        {
            return TypedResults.ValidationProblem(
                Problems.Texts(errors, locale),
                detail: Messages.Pick(locale, "入力内容を確認してください。", "Some fields need attention."),
                title: "Invalid registration");
        }

        var outcome = await services.Registrar.RegisterAsync(registration, ct);
        if (outcome.UsernameTaken)
        {
            return Problems.UsernameTaken(locale);
        }

        // Every 202 hands the browser a receipt for the email this sign-up caused (or for none),
        // so the check-email page can say when the address could not be reached.
        services.Db.ChangeTracker.Clear();
        await MailReceipts.IssueAsync(http.HttpContext, services.Db, outcome.Mailed, services.Time.GetUtcNow(), !services.Environment.IsDevelopment(), ct);
        return TypedResults.Accepted((string?)null, new RegisterResponse(registration.Email, Accepted));
    }
}
