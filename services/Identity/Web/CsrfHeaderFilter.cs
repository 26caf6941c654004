namespace SalesMind.Identity.Web;

/// <summary>
/// State-changing requests that rely on the session cookie must carry <c>X-CSRF: 1</c>. A
/// cross-site form cannot set a header, and a cross-site script that tries needs a CORS
/// preflight we never grant; with the SameSite=Lax cookie that closes cross-site request forgery.
/// </summary>
public sealed class CsrfHeaderFilter : IEndpointFilter
{
    public const string Header = "X-CSRF";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (context.HttpContext.Request.Headers[Header] != "1")
        {
            return TypedResults.Problem($"Send the header {Header}: 1 with this request (protection against cross-site request forgery).",
                statusCode: StatusCodes.Status403Forbidden, title: "Missing CSRF header");
        }

        return await next(context);
    }
}
