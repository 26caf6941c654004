using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using SalesMind.Notifier.Outcomes;

namespace SalesMind.Notifier.UnitTests;

/// <summary>Postfix's queue ids: short ones are reused, so seeing one degrades the mail-log health check.</summary>
public sealed class MailLogHealthTests
{
    [Theory]
    [InlineData("4jcCcW4l6Pz1hsHJ")]
    [InlineData("4jt0123456789BCDFz")]
    public void Long_ids_are_recognised(string id)
    {
        Assert.True(PostfixQueueIds.IsLong(id));
        Assert.False(PostfixQueueIds.IsShort(id));
    }

    [Theory]
    [InlineData("3F2A5B1C2D")]
    [InlineData("1234567BCD12")]
    [InlineData("ABCDEF")]
    public void Short_ids_are_upper_case_hex_even_when_they_are_long_enough(string id)
    {
        Assert.True(PostfixQueueIds.IsShort(id));
        Assert.False(PostfixQueueIds.IsLong(id));
    }

    [Theory]
    [InlineData("NOQUEUE")]
    [InlineData("warning")]
    [InlineData("4jcCcW4l6P")]
    [InlineData("4jcCcW4l6Pz1hsHa")]
    public void Other_words_are_neither(string id)
    {
        Assert.False(PostfixQueueIds.IsShort(id));
        Assert.False(PostfixQueueIds.IsLong(id));
    }

    private static async Task<HealthCheckResult> CheckAsync(MailLogHealth health) =>
        await health.CheckHealthAsync(new HealthCheckContext());

    [Fact]
    public async Task A_short_queue_id_degrades_the_check_naming_enable_long_queue_ids_until_long_ids_come_back()
    {
        var health = new MailLogHealth(TimeProvider.System, NullLogger<MailLogHealth>.Instance);
        health.QueueIdSeen("4jcCcW4l6Pz1hsHJ", "test");
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(health)).Status);

        health.QueueIdSeen("3F2A5B1C2D", "the mail server's reply");
        var degraded = await CheckAsync(health);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("enable_long_queue_ids", degraded.Description);

        // Postfix reconfigured and reloaded: its new ids are long again.
        health.QueueIdSeen("4jcCcW4l6Pz1hsHK", "the mail server's reply");
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(health)).Status);
    }

    [Fact]
    public async Task A_rotation_whose_rest_was_lost_degrades_the_check_for_an_hour()
    {
        var clock = new ManualClock();
        var health = new MailLogHealth(clock, NullLogger<MailLogHealth>.Instance);
        health.RotationRestLost();
        Assert.Equal(HealthStatus.Degraded, (await CheckAsync(health)).Status);

        clock.Now += TimeSpan.FromMinutes(61);
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(health)).Status);
    }

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
