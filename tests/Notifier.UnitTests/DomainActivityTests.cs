using SalesMind.Notifier.Admin;
using SalesMind.Notifier.Outcomes;

namespace SalesMind.Notifier.UnitTests;

/// <summary>The per-domain dashboard's window and ordering, and the mail log of the providers' pacing transports.</summary>
public sealed class DomainActivityTests
{
    [Theory]
    [InlineData(null, 60)]
    [InlineData("", 60)]
    [InlineData("1h", 60)]
    [InlineData("15m", 15)]
    [InlineData("1m", 1)]
    [InlineData("90m", 90)]
    [InlineData("24H", 1440)]
    [InlineData(" 6h ", 360)]
    [InlineData("7d", 10080)]
    public void A_window_is_minutes_hours_or_days(string? text, int minutes)
    {
        Assert.True(ActivityWindow.TryParse(text, out var window, out var problem));

        Assert.Null(problem);
        Assert.Equal(TimeSpan.FromMinutes(minutes), window);
    }

    [Theory]
    [InlineData("0m")]
    [InlineData("8d")]
    [InlineData("169h")]
    [InlineData("99999d")]
    [InlineData("1")]
    [InlineData("h")]
    [InlineData("1w")]
    [InlineData("-1h")]
    [InlineData("1.5h")]
    [InlineData("1h30m")]
    [InlineData("PT1H")]
    [InlineData("1 h")]
    [InlineData("１h")]
    public void Any_other_window_is_refused_with_what_is_accepted(string text)
    {
        Assert.False(ActivityWindow.TryParse(text, out _, out var problem));

        Assert.Equal(ActivityWindow.Problem, problem);
        Assert.Contains("15m, 1h or 24h", problem);
    }

    [Theory]
    [InlineData("1h", "1h")]
    [InlineData("60m", "1h")]
    [InlineData("90m", "90m")]
    [InlineData("24h", "24h")]
    [InlineData("1d", "24h")]
    [InlineData("36h", "36h")]
    [InlineData("48h", "2d")]
    [InlineData("7d", "7d")]
    public void A_window_is_echoed_in_its_shortest_form(string text, string formatted)
    {
        Assert.True(ActivityWindow.TryParse(text, out var window, out _));

        Assert.Equal(formatted, ActivityWindow.Format(window));
    }

    [Fact]
    public void Trouble_is_throttled_plus_bounced_plus_deferred()
    {
        var domain = new DomainActivityEndpoints.DomainActivity("gmail.com", Total: 100, Sent: 90, Delivered: 50, Deferred: 7, Bounced: 2, Failed: 4,
            Throttled: 5, Complained: 1, Suppressed: 3, NewestFailure: null);

        Assert.Equal(14, domain.Trouble);
    }

    [Fact]
    public void A_deferral_logged_by_a_providers_pacing_transport_is_read_like_any_other()
    {
        // master.cf gives each provider's transport its own log name (postfix/smtp-google/smtp[…]).
        var outcome = PostfixOutcome.Parse("Nov 30 04:01:10 mail postfix/smtp-google/smtp[812]: 4jcJ7t4kJGztTbT: to=<hanako@gmail.com>, " +
            "relay=gmail-smtp-in.l.google.com[142.250.4.27]:25, delay=1.2, delays=0.1/0/0.6/0.5, dsn=4.7.28, status=deferred " +
            "(host gmail-smtp-in.l.google.com[142.250.4.27] said: 421-4.7.28 Gmail has detected an unusual rate of unsolicited mail (in reply to end of DATA command))");

        Assert.NotNull(outcome);
        Assert.Equal(("4jcJ7t4kJGztTbT", "delayed", "4.7.28"), (outcome.QueueId, outcome.Action, outcome.Status));
    }
}
