using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace SalesMind.Identity.Registration;

/// <summary>The <c>{"email", "locale"}</c> body of the "mail me a link" requests (resend, password reset).</summary>
public sealed record EmailRequest(string? Email, string? Locale)
{
    /// <summary>A bare address and the locale to answer in; or the 400 to answer instead.</summary>
    public sealed record Read(string Email, string Locale, ProblemHttpResult? Malformed, ValidationProblem? Invalid);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static async Task<Read> ReadAsync(HttpRequest http, CancellationToken ct)
    {
        EmailRequest? request;
        try
        {
            request = await http.ReadFromJsonAsync<EmailRequest>(Json, ct);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or BadHttpRequestException)
        {
            return new Read("", Messages.DefaultLocale, TypedResults.Problem(
                "Send {\"email\": …} as application/json.", statusCode: StatusCodes.Status400BadRequest, title: "Malformed request"), null);
        }

        var locale = RegistrationRules.LocaleOf(request?.Locale);
        var email = request?.Email?.Trim() ?? "";
        if (!RegistrationRules.IsEmail(email))
        {
            return new Read(email, locale, null, TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["email"] = [Messages.Get(email.Length == 0 ? "email.required" : "email.invalid", locale)] },
                title: "Invalid request"));
        }

        return new Read(email, locale, null, null);
    }
}
