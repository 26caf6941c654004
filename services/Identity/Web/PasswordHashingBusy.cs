using SalesMind.Identity.Security;

namespace SalesMind.Identity.Web;

/// <summary>
/// The answer when the password-hashing queue is full: 503, <c>Retry-After</c> (the seconds until
/// the work queued ahead is done, 1 to 10) and a problem body, at once, instead of an ever longer wait. Nothing was stored for such a request.
/// </summary>
public static class PasswordHashingBusy
{
    public const string Title = "Busy";

    public const string Detail = "Too many password checks are waiting right now; nothing was saved. Try again in a few seconds.";

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
            catch (PasswordHashingBusyException busy) when (!context.Response.HasStarted)
            {
                // Nothing of the refused request stays (a cookie it set); the security headers do.
                context.Response.Headers.Remove("Set-Cookie");
                await Problems.Busy(context, busy.RetryAfter).ExecuteAsync(context);
            }
        });
        return app;
    }
}
