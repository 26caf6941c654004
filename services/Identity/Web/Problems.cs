using Microsoft.AspNetCore.Http.HttpResults;

namespace SalesMind.Identity.Web;

/// <summary>RFC 9457 answers shared by several features.</summary>
public static class Problems
{
    /// <summary>400 for a body that is not the JSON the endpoint reads; <paramref name="detail"/> says what to send.</summary>
    public static ProblemHttpResult Malformed(string detail, string title = "Malformed request") =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: title);

    /// <summary>One field's problem, by message key, in the request's language.</summary>
    public static ValidationProblem Field(string field, string key, string locale, string title) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [Messages.Get(key, locale)] }, title: title);

    /// <summary>Every field's problem, by message key, in the request's language.</summary>
    public static Dictionary<string, string[]> Texts(IReadOnlyDictionary<string, string> keys, string locale) =>
        keys.ToDictionary(e => e.Key, e => new[] { Messages.Get(e.Value, locale) });

    /// <summary>409 naming the username field: the one answer for a taken name, at sign-up and when a contested sign-up picks one.</summary>
    public static ProblemHttpResult UsernameTaken(string locale) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]>
        {
            ["username"] = [Messages.Get("username.taken", locale)],
        })
        {
            Status = StatusCodes.Status409Conflict,
            Title = "Username taken",
            Detail = Messages.Get("username.taken", locale),
        });

    /// <summary>
    /// 503 with <c>Retry-After</c> (whole seconds until the queued work is done): the
    /// password-hashing queue is full and nothing was stored.
    /// </summary>
    public static ProblemHttpResult Busy(HttpContext http, TimeSpan retryAfter)
    {
        http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(PasswordHashingBusy.Detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: PasswordHashingBusy.Title);
    }
}
