using Microsoft.AspNetCore.Http.HttpResults;
using SalesMind.Identity.Web;

namespace SalesMind.Identity.Sessions;

/// <summary>What every <c>/api/account/</c> endpoint shares: who is asking, and in which language to answer.</summary>
public static class AccountAnswers
{
    /// <summary>The signed-in session of this request (from the <c>sm_session</c> cookie), or null.</summary>
    public static Task<SignedIn?> SignedInAsync(this Authenticator authenticator, HttpContext http, CancellationToken ct) =>
        authenticator.CurrentSessionAsync(http.Request.Cookies[SessionEndpoints.CookieName], ct);

    /// <summary>
    /// The language of the answer's messages: the page's (it sends <c>Accept-Language: ja</c> or
    /// <c>en</c>), else the account's own, else Japanese. The body's <c>locale</c>, where there
    /// is one, is data (the language of the account's emails), not this.
    /// </summary>
    public static string Locale(HttpRequest request, string? accountLocale)
    {
        var first = request.Headers.AcceptLanguage.ToString().Split(',', 2)[0].Split(';', 2)[0].Split('-', 2)[0].Trim().ToLowerInvariant();
        return Messages.Locales.Contains(first) ? first : Messages.LocaleOf(accountLocale);
    }

    /// <summary>401: no live session.</summary>
    public static ProblemHttpResult NotSignedIn(string locale) =>
        TypedResults.Problem(Messages.Pick(locale, "ログインしてください。", "Log in first."),
            statusCode: StatusCodes.Status401Unauthorized, title: "Not signed in");
}
