using Microsoft.AspNetCore.Http.HttpResults;
using SalesMind.Notifier.Admin;
using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.UnitTests;

/// <summary>Which failures suppress an address, which raise the operator's alert, and what the event carries.</summary>
public sealed class FailurePolicyTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    private static readonly DeliveryOptions Schedule = new() { RetryDelays = [TimeSpan.FromMinutes(1)] };

    [Theory]
    [InlineData(FailureClass.Hard, DeliveryStatus.Bounced, true)]
    [InlineData(FailureClass.Hard, DeliveryStatus.Failed, true)]
    [InlineData(FailureClass.Hard, DeliveryStatus.Deferred, false)]
    [InlineData(FailureClass.Soft, DeliveryStatus.Bounced, false)]
    [InlineData(FailureClass.Throttled, DeliveryStatus.Bounced, false)]
    [InlineData(FailureClass.Throttled, DeliveryStatus.Failed, false)]
    [InlineData(FailureClass.Auth, DeliveryStatus.Bounced, false)]
    [InlineData(FailureClass.Auth, DeliveryStatus.Failed, false)]
    [InlineData(FailureClass.Unknown, DeliveryStatus.Bounced, false)]
    public void Only_a_hard_failure_that_ended_the_delivery_suppresses_at_once(FailureClass failureClass, DeliveryStatus status, bool suppresses) =>
        Assert.Equal(suppresses, FailurePolicy.SuppressesAtOnce(failureClass, status));

    [Theory]
    [InlineData(FailureClass.Soft, DeliveryStatus.Bounced, true)]
    [InlineData(FailureClass.Soft, DeliveryStatus.Failed, true)]
    [InlineData(FailureClass.Soft, DeliveryStatus.Abandoned, true)]
    [InlineData(FailureClass.Soft, DeliveryStatus.Deferred, false)]
    [InlineData(FailureClass.Throttled, DeliveryStatus.Bounced, false)]
    [InlineData(FailureClass.Unknown, DeliveryStatus.Abandoned, false)]
    public void Soft_failures_that_ended_a_delivery_count_towards_suppression(FailureClass failureClass, DeliveryStatus status, bool counts) =>
        Assert.Equal(counts, FailurePolicy.CountsAsSoftBounce(failureClass, status));

    [Theory]
    [InlineData(3, 2, false)]
    [InlineData(3, 3, true)]
    [InlineData(3, 4, true)]
    [InlineData(1, 1, true)]
    [InlineData(0, 50, false)]
    public void The_configured_number_of_soft_bounces_suppresses(int threshold, int softBounces, bool suppresses) =>
        Assert.Equal(suppresses, FailurePolicy.SoftBouncesSuppress(softBounces, new BounceOptions { SoftBouncesBeforeSuppression = threshold }));

    [Theory]
    [InlineData(FailureClass.Throttled, true)]
    [InlineData(FailureClass.Auth, true)]
    [InlineData(FailureClass.Hard, false)]
    [InlineData(FailureClass.Soft, false)]
    [InlineData(FailureClass.Unknown, false)]
    public void Throttled_and_auth_failures_raise_the_operators_alert(FailureClass failureClass, bool alerts) =>
        Assert.Equal(alerts, FailurePolicy.RaisesAlert(failureClass));

    [Fact]
    public void A_failure_sets_the_class_and_a_later_delivery_keeps_it_as_history()
    {
        var d = Sending();
        d.MarkSent("4jcQ", At);
        d.ApplyReport("delayed", "4.7.0 too many connections", At, FailureClass.Throttled);
        Assert.Equal((DeliveryStatus.Deferred, FailureClass.Throttled), (d.Status, d.FailureClass));

        d.ApplyReport("delivered", "250 ok", At, FailureClass.Hard);

        // A delivered report has no class: the last failure's stays.
        Assert.Equal((DeliveryStatus.Delivered, FailureClass.Throttled), (d.Status, d.FailureClass));
    }

    [Fact]
    public void Refusals_at_submission_set_the_class_of_the_delivery()
    {
        var failed = Sending();
        failed.MarkFailed("550 5.1.1 user unknown", At, FailureClass.Hard);
        var deferred = Sending();
        deferred.MarkDeferred("421 4.7.0 try later", Schedule, At, FailureClass.Throttled);
        var interrupted = Sending();
        interrupted.MarkInterrupted("stopping", At);

        Assert.Equal(FailureClass.Hard, failed.FailureClass);
        Assert.Equal(FailureClass.Throttled, deferred.FailureClass);
        Assert.Null(interrupted.FailureClass);
    }

    [Fact]
    public void An_attempt_is_classified_when_it_failed_and_only_then()
    {
        var d = Sending();

        Assert.Equal(FailureClass.Hard, DeliveryAttempts.For(d, At, 12, AttemptOutcome.Failed, 550, "550 5.1.1 <a@b.test>: Recipient address rejected: User unknown").FailureClass);
        Assert.Equal(FailureClass.Throttled, DeliveryAttempts.For(d, At, 12, AttemptOutcome.Deferred, 421, "421 4.7.0 Try again later, closing connection").FailureClass);
        Assert.Equal(FailureClass.Unknown, DeliveryAttempts.For(d, At, 12, AttemptOutcome.Deferred, null, "SocketException: Connection refused").FailureClass);
        Assert.Null(DeliveryAttempts.For(d, At, 12, AttemptOutcome.Sent, 250, "2.0.0 Ok: queued as 4jcQ").FailureClass);
        Assert.Null(DeliveryAttempts.For(d, At, 0, AttemptOutcome.Interrupted, null, "stopping").FailureClass);
    }

    [Fact]
    public void The_status_event_carries_a_class_only_for_failures() =>
        Assert.Equal(
            [DeliveryStatus.Deferred, DeliveryStatus.Failed, DeliveryStatus.Abandoned, DeliveryStatus.Bounced],
            Enum.GetValues<DeliveryStatus>().Where(FailurePolicy.IsFailure));

    [Fact]
    public void The_domain_label_of_policy_failures_is_bounded()
    {
        // Lower case, as the recipient domain column (the only test that fills the set: first).
        Assert.Equal("mixed-case.example", FailureMetrics.DomainTag("Someone@Mixed-Case.EXAMPLE"));
        var tags = Enumerable.Range(0, FailureMetrics.MaxDomains + 20).Select(i => FailureMetrics.DomainTag($"a@bounded-{i}.example")).ToList();

        Assert.True(tags.Distinct().Count() <= FailureMetrics.MaxDomains + 1, "at most MaxDomains domains and 'other'");
        Assert.Equal(FailureMetrics.OtherDomain, tags[^1]);
        Assert.Equal(FailureMetrics.OtherDomain, FailureMetrics.DomainTag("no-domain"));
    }

    [Theory]
    [InlineData("bogus", "bogus")]
    [InlineData("hard,Nope", "nope")]
    [InlineData(" soft , throttle ", "throttle")]
    public async Task The_list_filter_refuses_an_unknown_class_naming_the_field(string filter, string named)
    {
        // Refused before the database is touched (there is none here).
        var result = await DeliveryEndpoints.ListAsync(null!, null, null, null, null, null, null, null, filter, CancellationToken.None);

        var problem = Assert.IsType<ValidationProblem>(result.Result);
        var message = Assert.Single(problem.ProblemDetails.Errors["failure_class"]);
        Assert.Equal($"Unknown failure class '{named}': use hard, soft, throttled, auth, unknown.", message);
    }

    private static Delivery Sending()
    {
        var d = new Delivery { Template = "welcome", Locale = "en", Recipient = "a@b.test", Subject = "s", HtmlBody = "h", TextBody = "t" };
        d.Open(null, At);
        // Queued → sending is the dispatcher's claim (SQL); here the status is set as the claim leaves it.
        typeof(Delivery).GetProperty(nameof(Delivery.Status))!.SetValue(d, DeliveryStatus.Sending);
        return d;
    }
}
