using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Security;

namespace SalesMind.Identity.Tests;

/// <summary>
/// The service's own password hasher, wrapped: counts every check per stored hash (so a test
/// sees how many guesses were really evaluated) and can hold every hash at a gate (so a test
/// can fill the hashing queue without racing the clock).
/// </summary>
public sealed class InstrumentedHasher(IPasswordHasher<User> inner) : IPasswordHasher<User>
{
    private readonly ConcurrentDictionary<string, int> _checks = new(StringComparer.Ordinal);
    private readonly ManualResetEventSlim _gate = new(initialState: true);
    private int _verifications;
    private int _entered;

    /// <summary>Every password check so far (decoys included).</summary>
    public int Verifications => Volatile.Read(ref _verifications);

    /// <summary>Hashes and checks that have started (and may be waiting at the gate).</summary>
    public int Entered => Volatile.Read(ref _entered);

    /// <summary>The stored hash the last check compared against (for an unknown name: the decoy).</summary>
    public string? LastChecked { get; private set; }

    public int ChecksAgainst(string hash) => _checks.GetValueOrDefault(hash);

    public void Close() => _gate.Reset();

    public void Open() => _gate.Set();

    public string HashPassword(User user, string password)
    {
        Interlocked.Increment(ref _entered);
        _gate.Wait();
        return inner.HashPassword(user, password);
    }

    public PasswordVerificationResult VerifyHashedPassword(User user, string hashedPassword, string providedPassword)
    {
        Interlocked.Increment(ref _verifications);
        _checks.AddOrUpdate(hashedPassword, 1, (_, n) => n + 1);
        LastChecked = hashedPassword;
        Interlocked.Increment(ref _entered);
        _gate.Wait();
        return inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }

    /// <summary>The iteration count in a v3 hash's header (format byte, PRF, iterations, big-endian).</summary>
    public static int Iterations(string hash)
    {
        var bytes = Convert.FromBase64String(hash);
        Assert.Equal(0x01, bytes[0]);
        return (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5, 4));
    }
}

/// <summary>Identity with the instrumented hasher in place of the real one (same options, same cost).</summary>
public class InstrumentedIdentityApp : IdentityApp
{
    public InstrumentedHasher Hasher => (InstrumentedHasher)Services.GetRequiredService<IPasswordHasher<User>>();

    protected override void ConfigureMore(IWebHostBuilder builder)
    {
        // These tests count password checks under bursts of logins; on a busy machine the
        // hashing queue's load shedding (503, tested in HashWaitBoundTests) would turn some of a
        // burst away before its attempt is counted, and the counts would depend on the load.
        builder.UseSetting("Identity:MaxPasswordHashWait", "00:00:25");
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IPasswordHasher<User>>();
            services.AddSingleton<IPasswordHasher<User>>(sp =>
                new InstrumentedHasher(new PasswordHasher<User>(sp.GetRequiredService<IOptions<PasswordHasherOptions>>())));
        });
    }

    /// <summary>A browser that keeps no cookies: the test sends exactly the ones it means to.</summary>
    public HttpClient BareClient() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    public static Task<HttpResponseMessage> LoginAsync(HttpClient client, string identifier, string password, string? deviceCookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login/")
        {
            Content = JsonContent.Create(new { username_or_email = identifier, password, locale = "en" }),
        };
        request.Headers.Add("X-CSRF", "1");
        if (deviceCookie is not null)
        {
            request.Headers.Add("Cookie", $"sm_device={deviceCookie}");
        }

        return client.SendAsync(request);
    }

    /// <summary>The device cookie a response set, if any.</summary>
    public static string? DeviceCookieOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.Where(c => c.StartsWith("sm_device=", StringComparison.Ordinal)).Select(c => c["sm_device=".Length..c.IndexOf(';')]).SingleOrDefault()
            : null;

    public async Task<string> PasswordHashAsync(string email) =>
        (await Database.ScalarAsync<string>("SELECT password_hash FROM users WHERE email = $1", email))!;
}

/// <summary>
/// Attacks on the login lockout: a burst of guesses, the lock as an oracle (does this account
/// exist?) and as a weapon (keep the owner out).
/// </summary>
public sealed partial class LockoutTests(InstrumentedIdentityApp app) : IClassFixture<InstrumentedIdentityApp>
{
    private const int MaxFailedLogins = 5;

    [Fact]
    public async Task Forty_parallel_wrong_passwords_get_at_most_MaxFailedLogins_evaluations_and_then_even_the_right_one_is_refused()
    {
        var form = await app.VerifiedUserAsync();
        var hash = await app.PasswordHashAsync(form["email"]!);

        var answers = await Task.WhenAll(Enumerable.Range(0, 40)
            .Select(i => IdentityApp.LoginAsync(app.Client(), form["username"]!, $"Wrong-{i}-Password")));

        Assert.Equal(MaxFailedLogins, app.Hasher.ChecksAgainst(hash));
        Assert.Equal(MaxFailedLogins, answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(40 - MaxFailedLogins, answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests));

        var right = await IdentityApp.LoginAsync(app.Client(), form["email"]!, form["password"]!);
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.Equal(MaxFailedLogins, app.Hasher.ChecksAgainst(hash));
    }

    [Fact]
    public async Task A_locked_account_answers_byte_for_byte_like_an_exhausted_unknown_name_and_neither_is_hashed()
    {
        var form = await app.VerifiedUserAsync();
        var nobody = $"nobody_{Guid.NewGuid():N}"[..30];

        // The first wrong guess: one real check each, at the same cost (the decoy is hashed at the cost in force).
        var before = app.Hasher.Verifications;
        var firstReal = await IdentityApp.LoginAsync(app.Client(), form["username"]!, "Wrong-0-Password");
        Assert.Equal(before + 1, app.Hasher.Verifications);
        var firstUnknown = await IdentityApp.LoginAsync(app.Client(), nobody, "Wrong-0-Password");
        Assert.Equal(before + 2, app.Hasher.Verifications);
        Assert.Equal(PasswordCost.Iterations, InstrumentedHasher.Iterations(app.Hasher.LastChecked!));
        Assert.Equal(PasswordCost.Iterations, InstrumentedHasher.Iterations(await app.PasswordHashAsync(form["email"]!)));
        await AssertSameAnswerAsync(HttpStatusCode.Unauthorized, firstReal, firstUnknown);

        for (var i = 1; i < MaxFailedLogins; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityApp.LoginAsync(app.Client(), form["username"]!, $"Wrong-{i}-Password")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityApp.LoginAsync(app.Client(), nobody, $"Wrong-{i}-Password")).StatusCode);
        }

        // Locked: neither is hashed, and the answers cannot be told apart.
        before = app.Hasher.Verifications;
        var lockedReal = await IdentityApp.LoginAsync(app.Client(), form["username"]!, form["password"]!);
        var lockedUnknown = await IdentityApp.LoginAsync(app.Client(), nobody, form["password"]!);
        Assert.Equal(before, app.Hasher.Verifications);
        await AssertSameAnswerAsync(HttpStatusCode.TooManyRequests, lockedReal, lockedUnknown);
        Assert.InRange(int.Parse(lockedReal.Headers.RetryAfter!.ToString()), 60, 900);
    }

    [Fact]
    public async Task Another_spelling_of_a_locked_name_answers_alike_whether_or_not_the_account_exists()
    {
        // Full-width letters and '＠' name the same account (the lookup folds them, NFKC); an
        // unknown name must be counted under the same folded key, or the lock tells them apart.
        var form = await app.VerifiedUserAsync();
        var nobody = $"nobody{Guid.NewGuid():N}"[..24];
        for (var i = 0; i < MaxFailedLogins; i++)
        {
            await IdentityApp.LoginAsync(app.Client(), form["username"]!, $"Wrong-{i}-Password");
            await IdentityApp.LoginAsync(app.Client(), nobody, $"Wrong-{i}-Password");
        }

        foreach (var spell in new Func<string, string>[] { FullWidth, s => s.ToUpperInvariant() })
        {
            var real = await IdentityApp.LoginAsync(app.Client(), spell(form["username"]!), "Wrong-X-Password");
            var unknown = await IdentityApp.LoginAsync(app.Client(), spell(nobody), "Wrong-X-Password");
            await AssertSameAnswerAsync(HttpStatusCode.TooManyRequests, real, unknown);
        }

        var byAddress = await IdentityApp.LoginAsync(app.Client(), FullWidth(form["email"]!), "Wrong-X-Password");
        var unknownAddress = await IdentityApp.LoginAsync(app.Client(), FullWidth($"{nobody}@mail.test"), "Wrong-X-Password");
        Assert.Equal(HttpStatusCode.TooManyRequests, byAddress.StatusCode);
        // (A fresh unknown address is not locked yet: five more tries lock it alike.)
        Assert.Equal(HttpStatusCode.Unauthorized, unknownAddress.StatusCode);
    }

    [Fact]
    public async Task A_NUL_in_the_login_name_is_a_field_error_not_a_server_error()
    {
        var answer = await IdentityApp.LoginAsync(app.Client(), "a\u0000@mail.test", "Wrong-0-Password");

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Contains("username_or_email", await answer.Content.ReadAsStringAsync());
    }

    private static string FullWidth(string text) =>
        string.Concat(text.Select(c => c is >= '!' and <= '~' ? (char)(c - '!' + '！') : c));

    [Fact]
    public async Task An_attacker_locking_the_account_does_not_lock_out_the_owners_known_browser()
    {
        var form = await app.VerifiedUserAsync();
        var owner = app.Client();
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(owner, form["username"]!, form["password"]!)).StatusCode);

        // A stranger (no device cookie) uses up the account's attempts, and keeps trying.
        for (var i = 0; i < MaxFailedLogins + 3; i++)
        {
            await IdentityApp.LoginAsync(app.Client(), form["username"]!, $"Wrong-{i}-Password");
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await IdentityApp.LoginAsync(app.Client(), form["username"]!, form["password"]!)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(owner, form["username"]!, form["password"]!)).StatusCode);
        // ... and the stranger is still locked out after the owner's success.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await IdentityApp.LoginAsync(app.Client(), form["username"]!, form["password"]!)).StatusCode);
    }

    [Fact]
    public async Task A_forged_another_accounts_or_an_expired_device_cookie_earns_no_exemption()
    {
        var victim = await app.VerifiedUserAsync();
        var other = await app.VerifiedUserAsync();
        var client = app.BareClient();
        var victimDevice = InstrumentedIdentityApp.DeviceCookieOf(
            await InstrumentedIdentityApp.LoginAsync(client, victim["username"]!, victim["password"]!, null));
        var otherDevice = InstrumentedIdentityApp.DeviceCookieOf(
            await InstrumentedIdentityApp.LoginAsync(client, other["username"]!, other["password"]!, null));
        Assert.NotNull(victimDevice);
        Assert.NotNull(otherDevice);
        for (var i = 0; i < MaxFailedLogins; i++)
        {
            await InstrumentedIdentityApp.LoginAsync(client, victim["username"]!, $"Wrong-{i}-Password", null);
        }

        var forged = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal(HttpStatusCode.TooManyRequests,
            (await InstrumentedIdentityApp.LoginAsync(client, victim["username"]!, victim["password"]!, forged)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests,
            (await InstrumentedIdentityApp.LoginAsync(client, victim["username"]!, victim["password"]!, otherDevice)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests,
            (await InstrumentedIdentityApp.LoginAsync(client, victim["username"]!, victim["password"]!, "x' OR '1'='1")).StatusCode);
        // The genuine cookie works while it lives ...
        Assert.Equal(HttpStatusCode.OK,
            (await InstrumentedIdentityApp.LoginAsync(client, victim["username"]!, victim["password"]!, victimDevice)).StatusCode);

        // ... and not once it has expired.
        await app.Database.ExecuteAsync(
            "UPDATE known_devices SET expires_at = now() - interval '1 minute' WHERE user_id = (SELECT id FROM users WHERE email = $1)", victim["email"]!);
        Assert.Equal(HttpStatusCode.TooManyRequests,
            (await InstrumentedIdentityApp.LoginAsync(client, victim["username"]!, victim["password"]!, victimDevice)).StatusCode);
    }

    [Fact]
    public async Task A_known_browsers_own_wrong_passwords_are_bounded_too()
    {
        var form = await app.VerifiedUserAsync();
        var client = app.BareClient();
        var device = InstrumentedIdentityApp.DeviceCookieOf(
            await InstrumentedIdentityApp.LoginAsync(client, form["username"]!, form["password"]!, null));
        var hash = await app.PasswordHashAsync(form["email"]!);
        var before = app.Hasher.ChecksAgainst(hash);

        // Someone holding the cookie (a stolen laptop) guesses in parallel.
        var answers = await Task.WhenAll(Enumerable.Range(0, 40)
            .Select(i => InstrumentedIdentityApp.LoginAsync(client, form["username"]!, $"Wrong-{i}-Password", device)));

        Assert.Equal(MaxFailedLogins, app.Hasher.ChecksAgainst(hash) - before);
        Assert.Equal(MaxFailedLogins, answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(HttpStatusCode.TooManyRequests,
            (await InstrumentedIdentityApp.LoginAsync(client, form["username"]!, form["password"]!, device)).StatusCode);
    }

    [Fact]
    public async Task A_password_reset_lifts_the_lock_and_makes_the_browser_a_known_device()
    {
        var form = await app.VerifiedUserAsync();
        for (var i = 0; i < MaxFailedLogins; i++)
        {
            await IdentityApp.LoginAsync(app.Client(), form["username"]!, $"Wrong-{i}-Password");
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await IdentityApp.LoginAsync(app.Client(), form["username"]!, form["password"]!)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted,
            (await app.Client().PostAsJsonAsync("/api/auth/password-reset/", new { email = form["email"], locale = "en" })).StatusCode);
        var url = (await app.EventsAsync("PasswordResetRequested", form["email"]!))[^1].GetProperty("resetUrl").GetString()!;
        var token = url[(url.IndexOf("token=", StringComparison.Ordinal) + 6)..];

        var confirm = await app.BareClient().PostAsJsonAsync("/api/auth/password-reset/confirm/", new { token, password = "Fresh-Meadow-2741", locale = "en" });

        Assert.Equal(HttpStatusCode.NoContent, confirm.StatusCode);
        Assert.NotNull(InstrumentedIdentityApp.DeviceCookieOf(confirm));
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(app.Client(), form["username"]!, "Fresh-Meadow-2741")).StatusCode);
    }

    [Fact]
    public async Task An_old_100000_iteration_hash_is_upgraded_to_210000_at_the_next_login_and_still_works()
    {
        var form = await app.VerifiedUserAsync();
        Assert.Equal(210_000, InstrumentedHasher.Iterations(await app.PasswordHashAsync(form["email"]!)));
        var old = new PasswordHasher<User>(Options.Create(new PasswordHasherOptions { IterationCount = 100_000 })).HashPassword(null!, form["password"]!);
        await app.Database.ExecuteAsync("UPDATE users SET password_hash = $1 WHERE email = $2", old, form["email"]!);
        Assert.Equal(100_000, InstrumentedHasher.Iterations(await app.PasswordHashAsync(form["email"]!)));

        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(app.Client(), form["username"]!, form["password"]!)).StatusCode);

        var upgraded = await app.PasswordHashAsync(form["email"]!);
        Assert.NotEqual(old, upgraded);
        Assert.Equal(210_000, InstrumentedHasher.Iterations(upgraded));
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(app.Client(), form["email"]!, form["password"]!)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await IdentityApp.LoginAsync(app.Client(), form["email"]!, "Not-The-Password-1")).StatusCode);
    }

    [Fact]
    public async Task Sprayed_names_are_forgotten_after_the_lockout_duration_but_a_running_lock_is_kept()
    {
        var stale = $"name:stale_{Guid.NewGuid():N}";
        var locked = $"name:locked_{Guid.NewGuid():N}";
        await app.Database.ExecuteAsync(
            "INSERT INTO login_failures (key, failures, last_attempt_at, locked_until) VALUES ($1, 3, now() - interval '16 minutes', NULL)", stale);
        await app.Database.ExecuteAsync(
            "INSERT INTO login_failures (key, failures, last_attempt_at, locked_until) VALUES ($1, 5, now() - interval '16 minutes', now() + interval '1 minute')", locked);

        await app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<Sessions.LoginFailurePruner>().Single().PruneAsync(default);

        Assert.Equal(0L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM login_failures WHERE key = $1", stale));
        Assert.Equal(1L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM login_failures WHERE key = $1", locked));
    }

    /// <summary>Same status, same headers, same body apart from the trace id.</summary>
    private static async Task AssertSameAnswerAsync(HttpStatusCode expected, HttpResponseMessage a, HttpResponseMessage b)
    {
        Assert.Equal(expected, a.StatusCode);
        Assert.Equal(expected, b.StatusCode);
        Assert.Equal(Headers(a), Headers(b));
        Assert.Equal(TraceId().Replace(await a.Content.ReadAsStringAsync(), ""), TraceId().Replace(await b.Content.ReadAsStringAsync(), ""));
    }

    private static List<string> Headers(HttpResponseMessage response) =>
        [.. response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(",", h.Value)}").Order(StringComparer.Ordinal)];

    [GeneratedRegex("\"traceId\":\"[^\"]*\"")]
    private static partial Regex TraceId();
}

/// <summary>Identity with a hashing queue of two places, to see it refuse a burst.</summary>
public sealed class TinyHashingQueueApp : InstrumentedIdentityApp
{
    protected override void ConfigureMore(IWebHostBuilder builder)
    {
        base.ConfigureMore(builder);
        builder.UseSetting("Identity:MaxQueuedPasswordHashes", "2");
    }
}

public sealed class HashingQueueTests(TinyHashingQueueApp app) : IClassFixture<TinyHashingQueueApp>
{
    [Fact]
    public async Task A_burst_beyond_the_hashing_queue_gets_503_with_retry_after_and_loses_nothing_already_accepted()
    {
        var account = await app.VerifiedUserAsync();
        var held = new List<Dictionary<string, string?>> { IdentityApp.NewSignup(), IdentityApp.NewSignup() };
        var burst = Enumerable.Range(0, 20).Select(_ => IdentityApp.NewSignup()).ToList();
        Assert.Equal(HttpStatusCode.Accepted,
            (await app.Client().PostAsJsonAsync("/api/auth/password-reset/", new { email = account["email"], locale = "en" })).StatusCode);
        var url = (await app.EventsAsync("PasswordResetRequested", account["email"]!))[^1].GetProperty("resetUrl").GetString()!;
        var resetToken = url[(url.IndexOf("token=", StringComparison.Ordinal) + 6)..];
        app.Hasher.Close();
        try
        {
            // Two sign-ups take both places and wait at the gate ...
            var entered = app.Hasher.Entered;
            var heldAnswers = held.Select(app.RegisterAsync).ToList();
            await TestSupport.Eventually.HoldsAsync(() => Task.FromResult(app.Hasher.Entered >= entered + 2), TimeSpan.FromSeconds(30), "two hashes waiting");

            // ... so every other sign-up, login and reset is refused at once, not queued.
            var refused = await Task.WhenAll(burst.Select(app.RegisterAsync).Concat(
            [
                IdentityApp.LoginAsync(app.Client(), account["username"]!, "Wrong-1-Password"),
                app.Client().PostAsJsonAsync("/api/auth/password-reset/confirm/", new { token = resetToken, password = "Fresh-Meadow-2741" }),
            ]));
            foreach (var answer in refused)
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
                // The wait until the queued work is done, in whole seconds, 1 to 10.
                Assert.InRange(int.Parse(answer.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture), 1, 10);
                Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
                Assert.False(answer.Headers.Contains("Set-Cookie"));
            }

            app.Hasher.Open();
            foreach (var answer in heldAnswers)
            {
                Assert.Equal(HttpStatusCode.Accepted, (await answer).StatusCode);
            }
        }
        finally
        {
            app.Hasher.Open();
        }

        foreach (var form in held)
        {
            Assert.Equal(1L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM users WHERE email = $1", form["email"]!));
        }

        Assert.Equal(0L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM users WHERE email = ANY($1)", new object[] { burst.Select(f => f["email"]!).ToArray() }));
        // The refused login used up none of the account's attempts.
        Assert.Equal(0L, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM login_failures WHERE key = 'user:' || replace((SELECT id FROM users WHERE email = $1)::text, '-', '')", account["email"]!));
        Assert.Equal(HttpStatusCode.OK, (await IdentityApp.LoginAsync(app.Client(), account["username"]!, account["password"]!)).StatusCode);
        // The refused reset left its link usable.
        Assert.Equal(HttpStatusCode.NoContent,
            (await app.Client().PostAsJsonAsync("/api/auth/password-reset/confirm/", new { token = resetToken, password = "Fresh-Meadow-2741" })).StatusCode);
    }
}
