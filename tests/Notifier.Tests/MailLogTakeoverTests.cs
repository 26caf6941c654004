using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Outcomes;
using SalesMind.TestSupport;

namespace SalesMind.Notifier.Tests;

/// <summary>
/// Several Notifier instances read the same mail log: one follows it (an advisory lock), the
/// others stand by, and one of them takes over from the stored place when the follower stops.
/// </summary>
[Collection(NotifierCollection.Name)]
public sealed class MailLogTakeoverTests(NotifierApp app) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _log = Path.Combine(Path.GetTempPath(), $"salesmind-maillog-{Guid.NewGuid():N}.log");

    public void Dispose() => File.Delete(_log);

    private (MailLogFollower Follower, MailLogHealth Health) NewInstance(IOptions<MailLogOptions> options)
    {
        var health = new MailLogHealth(TimeProvider.System, NullLogger<MailLogHealth>.Instance);
        var follower = new MailLogFollower(app.Services.GetRequiredService<IServiceScopeFactory>(), new PostfixMailLog(options),
            options, Options.Create(new BounceOptions()), health, TimeProvider.System, NullLogger<MailLogFollower>.Instance);
        return (follower, health);
    }

    private static async Task<string> RoleAsync(MailLogHealth health) =>
        (await health.CheckHealthAsync(new HealthCheckContext())).Description ?? "";

    /// <summary>A delivery handed over and known by its queue id, and the log line that says it was delivered.</summary>
    private async Task<(Guid Id, string Line)> SentDeliveryAsync()
    {
        const string alphabet = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxy";
        var queueId = "4jt" + string.Concat(Enumerable.Range(0, 7).Select(_ => alphabet[Random.Shared.Next(alphabet.Length)]))
            + "z" + string.Concat(Enumerable.Range(0, 5).Select(_ => alphabet[Random.Shared.Next(alphabet.Length)]));
        var recipient = Stack.NewMailbox("takeover");
        var id = Guid.CreateVersion7();
        await app.Database.ExecuteAsync("""
            INSERT INTO deliveries (id, source_message_id, template, locale, recipient, subject, html_body, text_body,
                                    status, attempts, next_attempt_at, queue_id, created_at, updated_at, sent_at)
            VALUES ($1, $2, 'welcome', 'en', $3, 'sent', '<p>x</p>', 'x', 'sent', 1, now(), $4, now(), now(), now())
            """, id, Guid.NewGuid(), recipient, queueId);
        return (id, $"Nov 30 03:20:00 mail postfix/virtual[4321]: {queueId}: to=<{recipient}>, relay=virtual, delay=0.02, delays=0.01/0/0/0.01, dsn=2.0.0, status=sent (delivered to maildir)");
    }

    private Task DeliveredAsync(Guid id, string what) =>
        Eventually.HoldsAsync(async () => await app.Database.ScalarAsync<string>("SELECT status FROM deliveries WHERE id = $1", id) == "delivered", Patience, what);

    [Fact]
    public async Task One_instance_follows_the_others_stand_by_and_one_takes_over_from_the_stored_place_when_it_stops()
    {
        await File.WriteAllLinesAsync(_log, [$"Nov 30 03:15:00 mail postfix/postlogd[77]: log file {Guid.NewGuid():N} opened"]);
        // A log name of its own: the test app's own follower holds "postfix" in this database.
        var name = $"takeover-{Guid.NewGuid():N}";
        var options = Options.Create(new MailLogOptions { MailLogPath = _log, MailLogName = name });
        var first = NewInstance(options);
        var second = NewInstance(options);
        await first.Follower.StartAsync(CancellationToken.None);
        var secondStopped = false;
        try
        {
            await Eventually.HoldsAsync(async () => (await RoleAsync(first.Health)).StartsWith("following", StringComparison.Ordinal), Patience, "the first instance follows");
            await second.Follower.StartAsync(CancellationToken.None);
            await Eventually.HoldsAsync(async () => (await RoleAsync(second.Health)).StartsWith("standing by", StringComparison.Ordinal), Patience, "the second instance stands by");

            var before = await SentDeliveryAsync();
            await File.AppendAllLinesAsync(_log, [before.Line]);
            await DeliveredAsync(before.Id, "the follower applied the line");
            Assert.StartsWith("standing by", await RoleAsync(second.Health));
            await Eventually.HoldsAsync(async () => await app.Database.ScalarAsync<long>(
                """SELECT "offset" FROM mail_log_positions WHERE name = $1""", name) == new FileInfo(_log).Length, Patience, "the place stored");

            // The follower stops; a line is written before anyone follows again.
            await first.Follower.StopAsync(CancellationToken.None);
            var after = await SentDeliveryAsync();
            await File.AppendAllLinesAsync(_log, [after.Line]);

            await Eventually.HoldsAsync(async () => (await RoleAsync(second.Health)).StartsWith("following", StringComparison.Ordinal), Patience, "the second instance takes over");
            await DeliveredAsync(after.Id, "the line written during the hand-over applied by the new follower");
            await Eventually.HoldsAsync(async () => await app.Database.ScalarAsync<long>(
                """SELECT "offset" FROM mail_log_positions WHERE name = $1""", name) == new FileInfo(_log).Length, Patience, "the new follower's place stored");
            Assert.Equal(1L, await app.Database.ScalarAsync<long>("SELECT count(*) FROM mail_log_positions WHERE name = $1", name));

            await second.Follower.StopAsync(CancellationToken.None);
            secondStopped = true;
        }
        finally
        {
            await first.Follower.StopAsync(CancellationToken.None);
            if (!secondStopped)
            {
                await second.Follower.StopAsync(CancellationToken.None);
            }

            first.Follower.Dispose();
            second.Follower.Dispose();
        }
    }
}
