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
        var api = app.MapGroup("/api/auth");
        api.MapPost("/register/", RegisterAsync).RequireRateLimiting(RateLimits.Register);
        api.MapGet("/industries/", GetChoices);
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
