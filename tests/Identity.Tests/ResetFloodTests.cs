using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;

namespace SalesMind.Identity.Tests;

/// <summary>Identity with no cooldown between links, so an hour's worth of requests fits in a test.</summary>
public sealed class NoCooldownApp : IdentityApp
{
    protected override void ConfigureMore(IWebHostBuilder builder) => builder.UseSetting("Identity:ResendCooldown", "00:00:00");
}

/// <summary>
/// Someone who knows an address asks for reset links again and again (to flood its inbox), or
/// times the answers to learn which addresses have accounts.
/// </summary>
public sealed class ResetFloodTests(NoCooldownApp app) : IClassFixture<NoCooldownApp>
{
    [Fact]
    public async Task An_address_gets_at_most_five_reset_emails_an_hour_however_often_it_is_asked()
    {
        var form = await app.VerifiedUserAsync();

        for (var i = 0; i < 8; i++)
        {
            var answer = await app.Client().PostAsJsonAsync("/api/auth/password-reset/", new { email = form["email"], locale = "en" });
            Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        }

        Assert.Equal(5, (await app.EventsAsync("PasswordResetRequested", form["email"]!)).Count);
    }

    [Fact]
    public async Task Reset_and_resend_answer_no_sooner_than_the_uniform_time_whether_or_not_the_address_has_an_account()
    {
        // A lower bound only (the answers are held until Identity:UniformAnswerTime, 150 ms, has
        // passed): what either branch does in its few milliseconds disappears under it.
        var known = await app.VerifiedUserAsync();
        var pendingForm = IdentityApp.NewSignup();
        var pending = pendingForm["email"]!;
        await app.RegisterAsync(pendingForm);
        var cases = new (string Path, string Email)[]
        {
            ("/api/auth/password-reset/", known["email"]!),
            ("/api/auth/password-reset/", SalesMind.TestSupport.Stack.NewMailbox("unknown")),
            ("/api/auth/resend-verification/", pending),
            ("/api/auth/resend-verification/", SalesMind.TestSupport.Stack.NewMailbox("unknown")),
        };

        foreach (var (path, email) in cases)
        {
            var started = Stopwatch.GetTimestamp();
            var answer = await app.Client().PostAsJsonAsync(path, new { email, locale = "en" });
            var took = Stopwatch.GetElapsedTime(started);

            Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
            Assert.True(took >= TimeSpan.FromMilliseconds(140), $"{path} for {email} answered after {took.TotalMilliseconds:F0} ms");
        }
    }
}
