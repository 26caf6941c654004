using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesMind.Contracts;
using SalesMind.Outbox;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Ledger;

/// <summary>
/// The one writer of a delivery's status. Every change made by a <see cref="Delivery"/>
/// transition is saved here together with its <see cref="EmailDeliveryStatusChanged"/> outbox
/// event (they commit, or vanish, together) and counted in <c>salesmind.delivery.status_changes</c>.
/// Its callers: the intake (a new delivery), the dispatcher (an attempt's answer), the report
/// listener and the mail-log follower (news after the hand-off), and the admin API (a retry).
/// </summary>
public sealed partial class DeliveryLedger(
    NotifierDb db, BodySealer sealer, RecipientPseudonym pseudonyms, IOptions<DeliveryOptions> options, IOptions<BounceOptions> bounces, TimeProvider time,
    ILogger<DeliveryLedger> logger)
{
    public const string MeterName = "SalesMind.Notifier";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Every status a delivery takes, as it takes it.</summary>
    private static readonly Counter<long> StatusChanges = Meter.CreateCounter<long>(
        "salesmind.delivery.status_changes", description: "Deliveries entering each status (queued, sent, deferred, delivered, bounced, complained, failed, abandoned, suppressed)");

    private static readonly Counter<long> Reports = Meter.CreateCounter<long>(
        "salesmind.delivery.reports", description: "Reports about deliveries after the hand-off, by source and resulting status");

    /// <summary>
    /// Records a new delivery (queued, or suppressed when its address bounced hard recently) in
    /// the caller's transaction, which the caller commits; gives it its id. <paramref name="live"/>
    /// is the rendering with working links, kept only sealed.
    /// </summary>
    public async Task<Delivery> QueueAsync(Delivery delivery, RenderedEmail? live, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var address = delivery.Recipient.ToLowerInvariant();
        // An address that bounced hard is not sent to again until its suppression ends or is lifted.
        var suppression = await ActiveSuppressionAsync(address, now, ct);
        // One clock reading for the id (time-ordered), the creation and the event.
        delivery.Id = Guid.CreateVersion7(now);
        delivery.RequestedAt ??= now;
        var change = delivery.Open(suppression, now);
        if (live is not null)
        {
            delivery.LinksRedacted = true;
            // Nothing is sent to a suppressed address: its working link is not kept at all.
            delivery.SealedBody = delivery.Status == DeliveryStatus.Queued ? sealer.Seal(delivery.Id, live) : null;
        }

        db.Deliveries.Add(delivery);
        Stage(change);
        Count(change);
        await db.SaveChangesAsync(ct);
        return delivery;
    }

    /// <summary>
    /// Writes an attempt and the delivery's new state, if the dispatcher still owns the delivery
    /// (its lock is the one it claimed with; a takeover after an expired lock wins). False when
    /// it lost the delivery and nothing was written.
    /// </summary>
    public async Task<bool> RecordAttemptAsync(Delivery delivery, DeliveryAttempt attempt, string? queueId)
    {
        var claimedLock = delivery.LockedUntil;
        var now = time.GetUtcNow();
        // The attempt's class (DeliveryAttempts.For) becomes the delivery's when the attempt failed.
        var change = attempt.Outcome switch
        {
            AttemptOutcome.Sent => delivery.MarkSent(queueId, now),
            AttemptOutcome.Failed => delivery.MarkFailed(attempt.Reply, now, attempt.FailureClass),
            AttemptOutcome.Interrupted => delivery.MarkInterrupted(attempt.Reply, now),
            _ => delivery.MarkDeferred(attempt.Reply, options.Value, now, attempt.FailureClass),
        } ?? throw new InvalidOperationException($"Delivery {delivery.Id} is {delivery.Status.Name()}, not sending: no attempt can be recorded.");

        await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None);
        // This commit need not wait for the disk: should PostgreSQL lose it in a crash, the
        // delivery is back in 'sending' (its claim was committed durably before the send) and is
        // settled from the mail log like any other in-doubt delivery. One fsync less per email.
        await db.Database.ExecuteSqlRawAsync("SET LOCAL synchronous_commit TO OFF", CancellationToken.None);
        var updated = await db.Deliveries
            .Where(d => d.Id == delivery.Id && d.Status == DeliveryStatus.Sending && d.LockedUntil == claimedLock)
            .ExecuteUpdateAsync(set => set
                .SetProperty(d => d.Status, delivery.Status)
                .SetProperty(d => d.QueueId, delivery.QueueId)
                .SetProperty(d => d.LastError, delivery.LastError)
                .SetProperty(d => d.FailureClass, delivery.FailureClass)
                .SetProperty(d => d.NextAttemptAt, delivery.NextAttemptAt)
                .SetProperty(d => d.SentAt, delivery.SentAt)
                .SetProperty(d => d.LockedUntil, (DateTimeOffset?)null)
                .SetProperty(d => d.UpdatedAt, delivery.UpdatedAt), CancellationToken.None);
        if (updated == 0)
        {
            LogLostOwnership(delivery.Id, attempt.Outcome);
            return false;
        }

        if (delivery.Status is DeliveryStatus.Sent or DeliveryStatus.Failed or DeliveryStatus.Abandoned)
        {
            // The dispatcher is done with the working link (handed over, or failed for good): it
            // is not kept a moment longer. A retry of a failed one asks for a new link instead.
            await db.Deliveries.Where(d => d.Id == delivery.Id && d.SealedBody != null)
                .ExecuteUpdateAsync(set => set.SetProperty(d => d.SealedBody, (byte[]?)null), CancellationToken.None);
        }

        db.DeliveryAttempts.Add(attempt);
        Stage(change);
        // A hard refusal at submission (RCPT TO answered 550 5.1.1) suppresses like a hard bounce.
        await ApplyFailurePolicyAsync(delivery, attempt.Reply, now, CancellationToken.None);
        await db.SaveChangesAsync(CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
        Count(change);
        CountFailure(change);
        LogAttempt(delivery, attempt);
        return true;
    }

    /// <summary>One report about one delivery (see <see cref="ApplyReportsAsync"/>).</summary>
    public async Task<FateOutcome> ApplyReportAsync(Guid deliveryId, FateReport report, CancellationToken ct) =>
        (await ApplyReportsAsync([(deliveryId, report)], ct))[0];

    /// <summary>
    /// An admin's retry of a failed, abandoned or bounced delivery. <paramref name="audit"/>
    /// adds the audit entry to the same transaction (it gets the delivery and its status before).
    /// </summary>
    public async Task<RetryResult> RetryAsync(Guid id, Action<Delivery, DeliveryStatus> audit, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var d = (await db.Deliveries.FromSql($"SELECT * FROM deliveries WHERE id = {id} FOR UPDATE").ToListAsync(ct)).SingleOrDefault();
        if (d is null)
        {
            return new RetryResult(RetryRefusal.NotFound, null);
        }

        if (!Delivery.Retryable.Contains(d.Status))
        {
            return new RetryResult(RetryRefusal.NotRetryable, d);
        }

        if (d.LinksRedacted && d.SealedBody is null)
        {
            // The working link was dropped when the dispatcher finished with it; sending the
            // redacted copy would mail a dead link. A new link is one click away for the user.
            return new RetryResult(RetryRefusal.NeedsNewLink, d);
        }

        var now = time.GetUtcNow();
        var address = d.Recipient.ToLowerInvariant();
        if (await ActiveSuppressionAsync(address, now, ct) is not null)
        {
            return new RetryResult(RetryRefusal.Suppressed, d);
        }

        var before = d.Status;
        var change = d.Requeue(now)!;
        Stage(change);
        audit(d, before);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        Count(change);
        return new RetryResult(null, d);
    }

    /// <summary>The change's event, in the same unit of work as the change itself.</summary>
    private void Stage(StatusChange change)
    {
        var d = change.Delivery;
        db.AddOutboxMessage(new EmailDeliveryStatusChanged(
            d.Id, d.SourceMessageId, d.Template, d.Recipient, change.To.Name(), change.Error, d.Attempts, change.At,
            FailurePolicy.IsFailure(change.To) ? d.FailureClass?.Name() : null), change.At);
    }

    private static void Count(StatusChange change) =>
        StatusChanges.Add(1, new KeyValuePair<string, object?>("status", change.To.Name()));

    private void LogAttempt(Delivery delivery, DeliveryAttempt attempt)
    {
        switch (delivery.Status)
        {
            case DeliveryStatus.Sent:
                LogSent(delivery.Id, delivery.Template, delivery.QueueId);
                break;
            case DeliveryStatus.Failed:
                LogFailed(delivery.Id, delivery.Template, attempt.Reply);
                break;
            case DeliveryStatus.Abandoned:
                LogAbandoned(delivery.Id, delivery.Attempts, attempt.Reply);
                break;
            case DeliveryStatus.Deferred:
                LogDeferred(delivery.Id, delivery.Attempts, delivery.NextAttemptAt, attempt.Reply);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} was taken over by another dispatcher before its {Outcome} result was saved; that dispatcher settles it")]
    private partial void LogLostOwnership(Guid deliveryId, AttemptOutcome outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery {DeliveryId} ({Template}) accepted by the mail server as {QueueId}")]
    private partial void LogSent(Guid deliveryId, string template, string? queueId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} ({Template}) refused permanently: {Reply}")]
    private partial void LogFailed(Guid deliveryId, string template, string? reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} deferred after attempt {Attempts} until {NextAttemptAt}: {Reply}")]
    private partial void LogDeferred(Guid deliveryId, int attempts, DateTimeOffset nextAttemptAt, string? reply);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery {DeliveryId} abandoned after {Attempts} attempts: {Reply}")]
    private partial void LogAbandoned(Guid deliveryId, int attempts, string? reply);

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery {DeliveryId} ({Template}) is {Status} (from the {Source}): {Diagnostic}")]
    private partial void LogFate(Guid deliveryId, string template, DeliveryStatus status, string source, string? diagnostic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The address of delivery {DeliveryId} is suppressed until {Until} after {Why}")]
    private partial void LogSuppressed(Guid deliveryId, DateTimeOffset until, string why);
}

/// <summary>Why a retry was refused (null: the delivery is queued again).</summary>
public enum RetryRefusal
{
    NotFound,
    NotRetryable,
    NeedsNewLink,
    Suppressed,
}

public sealed record RetryResult(RetryRefusal? Refusal, Delivery? Delivery);
