using Microsoft.Extensions.DependencyInjection;
using SalesMind.Identity.Lifecycle;

namespace SalesMind.Identity.Tests;

[Collection(IdentityCollection.Name)]
public sealed class LifecycleTests(IdentityApp app)
{
    private async Task<Dictionary<string, string?>> SignUpAgedAsync(TimeSpan age)
    {
        var form = IdentityApp.NewSignup();
        await app.RegisterAsync(form);
        await app.Database.ExecuteAsync(
            "UPDATE users SET created_at = now() - make_interval(secs => $2) WHERE email = $1", form["email"]!, age.TotalSeconds);
        return form;
    }

    private Task RunAsync() => app.Services.GetRequiredService<AccountLifecycle>().RunOnceAsync(CancellationToken.None);

    [Fact]
    public async Task An_account_unverified_after_a_day_gets_one_reminder_with_a_fresh_link()
    {
        var form = await SignUpAgedAsync(TimeSpan.FromHours(25));

        await RunAsync();
        await RunAsync();

        var reminder = Assert.Single(await app.EventsAsync("VerificationReminderDue", form["email"]!));
        Assert.Equal(form["username"], reminder.GetProperty("username").GetString());
        var fresh = reminder.GetProperty("verificationUrl").GetString()!;
        var first = (await app.EventsAsync("UserRegistered", form["email"]!))[0].GetProperty("verificationUrl").GetString()!;
        var client = app.Client();
        Assert.Equal("/email_verification_error.html?reason=expired", (await client.GetAsync(first[IdentityApp.PublicBaseUrl.Length..])).Headers.Location!.OriginalString);
        Assert.Equal("/email_verified.html", (await client.GetAsync(fresh[IdentityApp.PublicBaseUrl.Length..])).Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Address_changes_are_forgotten_a_month_after_their_last_link_stopped_working_and_not_before()
    {
        var form = IdentityApp.NewSignup();
        await app.RegisterAsync(form);
        var userId = await app.Database.ScalarAsync<Guid>("SELECT id FROM users WHERE email = $1", form["email"]!);
        // One finished long ago, one whose undo link still works, one just past its last link.
        var rows = new (Guid Id, int ExpiredDaysAgo, int? UndoEndsInDays)[]
        {
            (Guid.NewGuid(), 60, -40), (Guid.NewGuid(), 60, 3), (Guid.NewGuid(), 2, null),
        };
        foreach (var (id, expired, undo) in rows)
        {
            await app.Database.ExecuteAsync(
                """
                INSERT INTO email_changes (id, user_id, old_email, new_email, normalized_new_email, token_hash, code_hash,
                    code_attempts, created_at, expires_at, undo_token_hash, undo_expires_at)
                VALUES ($1, $2, $3, 'x' || $1 || '@mail.test', 'x' || $1 || '@mail.test', decode(md5($1::text), 'hex'), '\x00', 0,
                    now() - make_interval(days => $4 + 1), now() - make_interval(days => $4),
                    CASE WHEN $5::int IS NULL THEN NULL ELSE decode(md5('u' || $1::text), 'hex') END,
                    CASE WHEN $5::int IS NULL THEN NULL ELSE now() + make_interval(days => $5::int) END)
                """, id, userId, form["email"]!, expired, (object?)undo ?? DBNull.Value);
        }

        await RunAsync();

        Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM email_changes WHERE id = $1", rows[0].Id));
        Assert.Equal(1, await app.Database.ScalarAsync<long>("SELECT count(*) FROM email_changes WHERE id = $1", rows[1].Id));
        Assert.Equal(1, await app.Database.ScalarAsync<long>("SELECT count(*) FROM email_changes WHERE id = $1", rows[2].Id));
    }

    [Fact]
    public async Task Young_and_verified_accounts_are_left_alone()
    {
        var young = await SignUpAgedAsync(TimeSpan.FromHours(1));

        await RunAsync();

        Assert.Empty(await app.EventsAsync("VerificationReminderDue", young["email"]!));
        Assert.Equal(1, await app.Database.ScalarAsync<long>("SELECT count(*) FROM users WHERE email = $1", young["email"]!));
    }

    [Fact]
    public async Task An_account_unverified_after_seven_days_is_deleted_with_everything_it_owned()
    {
        var form = await SignUpAgedAsync(TimeSpan.FromDays(8));

        await RunAsync();

        Assert.Equal(0, await app.Database.ScalarAsync<long>("SELECT count(*) FROM users WHERE email = $1", form["email"]!));
        Assert.Equal(0, await app.Database.ScalarAsync<long>(
            "SELECT count(*) FROM user_profiles p WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = p.user_id)"));
        Assert.Single(await app.EventsAsync("UnverifiedAccountDeleted", form["email"]!));
        Assert.Empty(await app.EventsAsync("VerificationReminderDue", form["email"]!));
    }

    [Fact]
    public async Task Two_instances_running_the_job_at_once_remind_each_account_once()
    {
        var forms = new List<Dictionary<string, string?>>();
        for (var i = 0; i < 5; i++)
        {
            forms.Add(await SignUpAgedAsync(TimeSpan.FromHours(30)));
        }

        // A second host on the same database: its own services, connection pool and job, as a
        // second replica would have.
        await using var second = app.WithWebHostBuilder(_ => { });
        var jobs = new[] { app.Services.GetRequiredService<AccountLifecycle>(), second.Services.GetRequiredService<AccountLifecycle>() };
        Assert.NotSame(jobs[0], jobs[1]);
        await Task.WhenAll(jobs.SelectMany(job => new[] { job.RunOnceAsync(CancellationToken.None), job.RunOnceAsync(CancellationToken.None) }));
        // The host's own scheduled run may have held the job's lock through all four (its look at
        // the accounts taken before they were aged): one more run after them reminds whoever is
        // still due, and must not remind anyone twice.
        await jobs[1].RunOnceAsync(CancellationToken.None);

        foreach (var form in forms)
        {
            Assert.Single(await app.EventsAsync("VerificationReminderDue", form["email"]!));
        }
    }
}
