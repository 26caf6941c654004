using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.UnitTests;

/// <summary>
/// The delivery's transition table: every status against every transition, allowed (and to
/// which status) or refused (nothing changes).
/// </summary>
public sealed class DeliveryTransitionTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    private static readonly DeliveryOptions Schedule = new() { RetryDelays = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)] };

    /// <summary>The transitions, each applied to a delivery in any status.</summary>
    private static readonly Dictionary<string, Func<Delivery, StatusChange?>> Transitions = new()
    {
        ["MarkSent"] = d => d.MarkSent("4jcQ", At),
        ["MarkFailed"] = d => d.MarkFailed("550 no", At),
        ["MarkInterrupted"] = d => d.MarkInterrupted("stopped", At),
        ["MarkDeferred"] = d => d.MarkDeferred("451 later", Schedule, At),
        ["Report delivered"] = d => d.ApplyReport("delivered", null, At),
        ["Report relayed"] = d => d.ApplyReport("relayed", null, At),
        ["Report expanded"] = d => d.ApplyReport("expanded", null, At),
        ["Report delayed"] = d => d.ApplyReport("delayed", "4.4.1 later", At),
        ["Report failed"] = d => d.ApplyReport("failed", "5.1.1 gone", At),
        ["Report unknown action"] = d => d.ApplyReport("exploded", "?", At),
        ["Requeue"] = d => d.Requeue(At),
        ["Cancel"] = d => d.Cancel("not sent: the account was deleted", At),
        ["MarkComplained"] = d => d.MarkComplained("abuse report", At),
    };

    /// <summary>Every allowed move; anything not listed is refused.</summary>
    private static readonly Dictionary<(DeliveryStatus, string), DeliveryStatus> Allowed = new()
    {
        [(DeliveryStatus.Sending, "MarkSent")] = DeliveryStatus.Sent,
        [(DeliveryStatus.Sending, "MarkFailed")] = DeliveryStatus.Failed,
        [(DeliveryStatus.Sending, "MarkInterrupted")] = DeliveryStatus.Queued,
        [(DeliveryStatus.Sending, "MarkDeferred")] = DeliveryStatus.Deferred,
        [(DeliveryStatus.Sent, "Report delivered")] = DeliveryStatus.Delivered,
        [(DeliveryStatus.Sent, "Report relayed")] = DeliveryStatus.Delivered,
        [(DeliveryStatus.Sent, "Report expanded")] = DeliveryStatus.Delivered,
        [(DeliveryStatus.Deferred, "Report delivered")] = DeliveryStatus.Delivered,
        [(DeliveryStatus.Deferred, "Report relayed")] = DeliveryStatus.Delivered,
        [(DeliveryStatus.Deferred, "Report expanded")] = DeliveryStatus.Delivered,
        [(DeliveryStatus.Sent, "Report delayed")] = DeliveryStatus.Deferred,
        [(DeliveryStatus.Sent, "Report failed")] = DeliveryStatus.Bounced,
        [(DeliveryStatus.Deferred, "Report failed")] = DeliveryStatus.Bounced,
        [(DeliveryStatus.Delivered, "Report failed")] = DeliveryStatus.Bounced,
        [(DeliveryStatus.Failed, "Requeue")] = DeliveryStatus.Queued,
        [(DeliveryStatus.Abandoned, "Requeue")] = DeliveryStatus.Queued,
        [(DeliveryStatus.Bounced, "Requeue")] = DeliveryStatus.Queued,
        [(DeliveryStatus.Queued, "Cancel")] = DeliveryStatus.Suppressed,
        // A complaint proves the email arrived, whatever was reported before; a second one says nothing new.
        [(DeliveryStatus.Sent, "MarkComplained")] = DeliveryStatus.Complained,
        [(DeliveryStatus.Delivered, "MarkComplained")] = DeliveryStatus.Complained,
        [(DeliveryStatus.Deferred, "MarkComplained")] = DeliveryStatus.Complained,
        [(DeliveryStatus.Bounced, "MarkComplained")] = DeliveryStatus.Complained,
    };

    public static TheoryData<DeliveryStatus, string> Table()
    {
        var data = new TheoryData<DeliveryStatus, string>();
        foreach (var status in Enum.GetValues<DeliveryStatus>())
        {
            foreach (var transition in Transitions.Keys)
            {
                data.Add(status, transition);
            }
        }

        return data;
    }

    /// <summary>A delivery as the ledger would hold it in <paramref name="status"/>.</summary>
    internal static Delivery In(DeliveryStatus status, int attempts = 1)
    {
        var delivery = new Delivery
        {
            Id = Guid.CreateVersion7(), Template = "email-verification", Locale = "en", Recipient = "hanako@example.com",
            Subject = "s", HtmlBody = "<p>h</p>", TextBody = "t", Attempts = attempts, QueueId = status is DeliveryStatus.Queued or DeliveryStatus.Sending ? null : "4jcQ",
        };
        // Only the ledger's transitions set a status; a test puts it where the row would be.
        typeof(Delivery).GetProperty(nameof(Delivery.Status))!.SetValue(delivery, status);
        return delivery;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void Each_transition_is_allowed_from_its_statuses_and_refused_from_all_others(DeliveryStatus from, string transition)
    {
        var delivery = In(from);
        var before = (delivery.LastError, delivery.UpdatedAt, delivery.QueueId, delivery.NextAttemptAt);

        var change = Transitions[transition](delivery);

        if (Allowed.TryGetValue((from, transition), out var to))
        {
            Assert.NotNull(change);
            Assert.Equal((from, to, to), (change.From!.Value, change.To, delivery.Status));
            Assert.Same(delivery, change.Delivery);
            Assert.Equal(At, delivery.UpdatedAt);
        }
        else
        {
            Assert.Null(change);
            Assert.Equal(from, delivery.Status);
            Assert.Equal(before, (delivery.LastError, delivery.UpdatedAt, delivery.QueueId, delivery.NextAttemptAt));
        }
    }

    [Fact]
    public void The_table_covers_every_status()
    {
        Assert.Equal(Enum.GetValues<DeliveryStatus>().Length * Transitions.Count, Table().Count);
    }

    [Fact]
    public void A_new_delivery_opens_queued_or_suppressed()
    {
        var queued = new Delivery { Template = "t", Locale = "en", Recipient = "a@b.test", Subject = "s", HtmlBody = "h", TextBody = "t" };
        var open = queued.Open(null, At);
        Assert.Equal((null, DeliveryStatus.Queued, null, At, At), (open.From, queued.Status, queued.LastError, queued.NextAttemptAt, queued.CreatedAt));

        var suppressed = new Delivery { Template = "t", Locale = "en", Recipient = "a@b.test", Subject = "s", HtmlBody = "h", TextBody = "t" };
        var change = suppressed.Open(new Suppression { Address = "a@b.test", Reason = "5.1.1 gone", ExpiresAt = At.AddDays(30) }, At);
        Assert.Equal(DeliveryStatus.Suppressed, change.To);
        Assert.Contains("suppressed until", change.Error);
        Assert.Contains("5.1.1 gone", suppressed.LastError);
    }

    [Fact]
    public void The_last_temporary_failure_of_a_round_abandons_the_delivery()
    {
        // Two retry delays: three attempts in a round.
        var third = In(DeliveryStatus.Sending, attempts: 3);
        Assert.Equal(DeliveryStatus.Abandoned, third.MarkDeferred("451 later", Schedule, At)!.To);

        var second = In(DeliveryStatus.Sending, attempts: 2);
        Assert.Equal(DeliveryStatus.Deferred, second.MarkDeferred("451 later", Schedule, At)!.To);
        Assert.InRange(second.NextAttemptAt, At + TimeSpan.FromMinutes(5) * 0.9, At + TimeSpan.FromMinutes(5) * 1.1);
    }

    [Fact]
    public void An_admins_retry_starts_a_fresh_round()
    {
        var abandoned = In(DeliveryStatus.Abandoned, attempts: 3);
        var change = abandoned.Requeue(At)!;

        Assert.Equal((DeliveryStatus.Queued, 3, null, null, At), (abandoned.Status, abandoned.RetryFrom, abandoned.QueueId, change.Error, abandoned.NextAttemptAt));
        // The next attempt is the first of the new round, not the last of the old one.
        typeof(Delivery).GetProperty(nameof(Delivery.Status))!.SetValue(abandoned, DeliveryStatus.Sending);
        abandoned.Attempts = 4;
        Assert.Equal(DeliveryStatus.Deferred, abandoned.MarkDeferred("451 later", Schedule, At)!.To);
    }

    [Fact]
    public void Sent_keeps_the_queue_id_and_clears_the_error()
    {
        var delivery = In(DeliveryStatus.Sending);
        delivery.LastError = "451 earlier";
        delivery.MarkSent("4jcQzHmPztTfT", At);
        Assert.Equal(("4jcQzHmPztTfT", (string?)null, (DateTimeOffset?)At), (delivery.QueueId, delivery.LastError, delivery.SentAt));
    }

    [Fact]
    public void A_final_fate_records_when_it_was_learned()
    {
        var delivered = In(DeliveryStatus.Sent);
        delivered.ApplyReport("delivered", "250 ok", At);
        Assert.Equal(((DateTimeOffset?)At, (string?)null), (delivered.FinalAt, delivered.LastError));

        var bounced = In(DeliveryStatus.Deferred);
        bounced.ApplyReport("failed", "5.1.1 gone", At);
        Assert.Equal(((DateTimeOffset?)At, "5.1.1 gone"), (bounced.FinalAt, bounced.LastError));
    }
}
