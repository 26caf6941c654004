using Microsoft.AspNetCore.Http.HttpResults;
using SalesMind.Identity.Accounts;

namespace SalesMind.Identity.Web;

/// <summary>The <c>{"email", "locale"}</c> body of the "mail me a link" requests (resend, password reset).</summary>
public sealed record EmailRequest(string? Email, string? Locale)
{
    /// <summary>A bare address and the locale to answer in; or the 400 to answer instead.</summary>
    public sealed record Read(string Email, string Locale, ProblemHttpResult? Malformed, ValidationProblem? Invalid);

    public static async Task<Read> ReadAsync(HttpRequest http, CancellationToken ct)
    {
        var (request, malformed) = await Json.ReadAsync<EmailRequest>(http, ct);
        if (malformed)
        {
            return new Read("", Messages.DefaultLocale, Problems.Malformed("Send {\"email\": …} as application/json."), null);
        }

        var locale = Messages.LocaleOf(request?.Locale);
        var email = request?.Email?.Trim() ?? "";
        if (!FieldRules.IsEmail(email))
        {
            return new Read(email, locale, null, Problems.Field("email", email.Length == 0 ? "email.required" : "email.invalid", locale, "Invalid request"));
        }

        return new Read(email, locale, null, null);
    }
}
