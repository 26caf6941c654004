using SalesMind.Identity.Security;

namespace SalesMind.Identity.Web;

/// <summary>
/// The answer when the password-hashing queue is full: 503, <c>Retry-After: 1</c> and a problem
/// body, at once, instead of an ever longer wait. Nothing was stored for such a request.
/// </summary>
public static class PasswordHashingBusy
{
    public const string Title = "Busy";

    public const string Detail = "Too many password checks are waiting right now; nothing was saved. Try again in a second.";

    /// <summary>
    /// Turns <see cref="PasswordHashingBusyException"/> from any endpoint (sign-up, reset) into
    /// that answer; placed inside the error handler so it is not logged as a failure.
    /// </summary>
    public static WebApplication UsePasswordHashingBackpressure(this WebApplication app)
    {
        app.Use(static async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (PasswordHashingBusyException) when (!context.Response.HasStarted)
            {
                // Nothing of the refused request stays (a cookie it set); the security headers do.
                context.Response.Headers.Remove("Set-Cookie");
                context.Response.Headers.RetryAfter = "1";
                await TypedResults.Problem(Detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: Title).ExecuteAsync(context);
            }
        });
        return app;
    }
}
