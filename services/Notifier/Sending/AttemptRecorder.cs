using System.Diagnostics.Metrics;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Outcomes;

namespace SalesMind.Notifier.Sending;

/// <summary>Hands an attempt's answer to the <see cref="DeliveryLedger"/> and counts the attempt once it is saved.</summary>
public sealed class AttemptRecorder(IServiceScopeFactory scopes, MailLogHealth mailLog)
{
    private static readonly Meter Meter = new(DeliveryLedger.MeterName);

    private static readonly Histogram<double> SmtpDuration = Meter.CreateHistogram<double>(
        "salesmind.smtp.duration", unit: "ms", description: "Time to hand one message to the mail server, by outcome");

    private static readonly Counter<long> Attempts = Meter.CreateCounter<long>(
        "salesmind.delivery.attempts", description: "Delivery attempts by outcome (sent, deferred, failed, interrupted)");

    /// <param name="queueId">The mail server's queue id, for an accepted message.</param>
    public async Task RecordAsync(Delivery delivery, DeliveryAttempt attempt, string? queueId)
    {
        if (queueId is not null)
        {
            // Every "250 … queued as ID" says whether Postfix's enable_long_queue_ids is on.
            mailLog.QueueIdSeen(queueId, "the mail server's reply");
        }

        await using var scope = scopes.CreateAsyncScope();
        var ledger = scope.ServiceProvider.GetRequiredService<DeliveryLedger>();
        if (!await ledger.RecordAttemptAsync(delivery, attempt, queueId))
        {
            return;
        }

        var outcome = attempt.Outcome.Name();
        Attempts.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        if (attempt.Outcome != AttemptOutcome.Interrupted)
        {
            SmtpDuration.Record(attempt.DurationMs, new KeyValuePair<string, object?>("outcome", outcome));
        }
    }
}
