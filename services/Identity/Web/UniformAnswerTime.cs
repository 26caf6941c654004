using System.Diagnostics;
using SalesMind.Identity.Accounts;
using Microsoft.Extensions.Options;

namespace SalesMind.Identity.Web;

/// <summary>
/// Holds the answer of an endpoint that must not tell whether an address has an account (reset
/// and resend requests) until <see cref="AccountOptions.UniformAnswerTime"/> has passed since the
/// request arrived: a known address does a little more database work than an unknown one, and a
/// few milliseconds, averaged over many requests, would otherwise say which addresses exist.
/// </summary>
public sealed class UniformAnswerTime(IOptions<AccountOptions> options, TimeProvider time) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await next(context);
        var left = options.Value.UniformAnswerTime - Stopwatch.GetElapsedTime(started);
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left, time, context.HttpContext.RequestAborted);
        }

        return result;
    }
}
