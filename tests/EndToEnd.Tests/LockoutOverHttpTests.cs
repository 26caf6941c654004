using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;

namespace SalesMind.EndToEnd.Tests;

/// <summary>
/// The login lockout through nginx, attacked with a client address made up on every request:
/// nginx overwrites X-Forwarded-For, and the lock counts per account (or per unknown name), so
/// neither a burst nor a changing spoofed address gets more than MaxFailedLogins guesses.
/// (The stack's per-address rate limits are raised for its load tests; they are attacked
/// directly in Identity.Tests' ProxyHeaderTests.)
/// </summary>
public sealed partial class LockoutOverHttpTests
{
    private const int MaxFailedLogins = 5;

    private static Task<HttpResponseMessage> LoginAsync(string identifier, string password)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login/")
        {
            Content = JsonContent.Create(new { username_or_email = identifier, password, locale = "en" }),
        };
        request.Headers.Add("X-CSRF", "1");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", $"198.51.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(1, 255)}");
        return FrontDoor.Client.SendAsync(request);
    }

    /// <summary>
    /// A guess that the service turned away for load (503: the hashing queue is full, before the
    /// attempt was counted) is sent again after its Retry-After, as a determined attacker would:
    /// each of the forty gets a counted answer however busy the machine is.
    /// </summary>
    private static async Task<HttpResponseMessage> LoginPersistentlyAsync(string identifier, string password)
    {
        for (var attempt = 1; ; attempt++)
        {
            var answer = await LoginAsync(identifier, password);
            if (answer.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 20)
            {
                return answer;
            }

            var wait = answer.Headers.RetryAfter?.Delta;
            Assert.NotNull(wait);
            await Task.Delay(wait.Value);
        }
    }

    [Fact]
    public async Task Forty_parallel_guesses_with_spoofed_addresses_get_five_answers_and_the_lock_looks_like_an_unknown_names()
    {
        var form = FrontDoor.NewSignup();
        Assert.Equal(HttpStatusCode.Accepted, (await FrontDoor.RegisterAsync(form)).StatusCode);
        var nobody = $"nobody_{Guid.NewGuid():N}"[..30];

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => LoginPersistentlyAsync(form["username"]!, $"Wrong-{i}-Password")));
        for (var i = 0; i < MaxFailedLogins; i++)
        {
            await LoginAsync(nobody, $"Wrong-{i}-Password");
        }

        Assert.Equal(MaxFailedLogins, answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(40 - MaxFailedLogins, answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests));
        var locked = await LoginAsync(form["username"]!, form["password"]!);
        var throttled = await LoginAsync(nobody, form["password"]!);
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal(locked.Headers.RetryAfter?.ToString(), throttled.Headers.RetryAfter?.ToString());
        Assert.Equal(TraceId().Replace(await locked.Content.ReadAsStringAsync(), ""), TraceId().Replace(await throttled.Content.ReadAsStringAsync(), ""));
    }

    [GeneratedRegex("\"traceId\":\"[^\"]*\"")]
    private static partial Regex TraceId();
}
