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

/// <summary>Marks an endpoint that requires <c>X-CSRF: 1</c>, so the API reference says so.</summary>
public sealed record CsrfHeaderMetadata;

public static class CsrfHeaderEndpoints
{
    /// <summary>Refuses the request (403) unless it carries <c>X-CSRF: 1</c>; the API reference lists the header.</summary>
    public static RouteHandlerBuilder RequireCsrfHeader(this RouteHandlerBuilder endpoint) =>
        endpoint.AddEndpointFilter<CsrfHeaderFilter>().WithMetadata(new CsrfHeaderMetadata());
}
