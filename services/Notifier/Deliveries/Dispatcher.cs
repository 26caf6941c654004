using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using SalesMind.Notifier.Data;
using SalesMind.Contracts;
using SalesMind.Notifier.Smtp;
using SalesMind.Notifier.Templates;
using SalesMind.Outbox;

namespace SalesMind.Notifier.Deliveries;

/// <summary>
/// Hands due deliveries to the mail server. A delivery is claimed (status <c>sending</c>, locked
/// for a while) with SKIP LOCKED so several Notifier instances share the work; each try is
/// recorded as an attempt. Temporary failures reschedule the delivery with backoff instead of
/// waiting here; permanent refusals end it.
/// </summary>
public sealed partial class Dispatcher(
    IServiceScopeFactory scopes,
    ISmtpSender smtp,
    BodySealer sealer,
    PostfixMailLog mailLog,
    DispatchSignal signal,
    IOptions<DeliveryOptions> options,
    IOptions<MailOptions> mail,
    IOptions<SmtpOptions> smtpOptions,
    IOptions<BounceOptions> bounces,
    TimeProvider time,
    ILogger<Dispatcher> logger) : BackgroundService
{
    public const string MeterName = "SalesMind.Notifier";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>The SMTP send of each attempt, a child of the trace that asked for the email.</summary>
    public static readonly ActivitySource ActivitySource = new(MeterName);

    private static readonly Histogram<double> SmtpDuration = Meter.CreateHistogram<double>(
        "salesmind.smtp.duration", unit: "ms", description: "Time to hand one message to the mail server, by outcome");

    /// <summary>Every status a delivery takes, as it takes it.</summary>
    internal static readonly Counter<long> StatusChanges = Meter.CreateCounter<long>(
        "salesmind.delivery.status_changes", description: "Deliveries entering each status (queued, sent, deferred, delivered, bounced, failed, abandoned, suppressed)");
    private static readonly Counter<long> Attempts = Meter.CreateCounter<long>(
        "salesmind.delivery.attempts", description: "Delivery attempts by outcome (sent, deferred, failed, interrupted)");

    private readonly DeliveryOptions _options = options.Value;

    /// <summary>
    /// Sends under way at once: one per SMTP connection. Nothing is claimed that cannot be sent
    /// at once, so no claimed delivery waits for a connection while its lock runs down.
    /// </summary>
    private readonly int _maxInFlight = smtpOptions.Value.MaxConnections;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        // One slot per SMTP connection. A slot is refilled as soon as its send is recorded, so the
        // connections stay busy instead of waiting for the slowest send of a batch.
        using var slots = new SemaphoreSlim(_maxInFlight, _maxInFlight);
        var inFlight = new HashSet<Task>();
        var lastReconcile = DateTimeOffset.MinValue;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (time.GetUtcNow() - lastReconcile >= _options.PollInterval)
                    {
                        await ReconcileInDoubtAsync(stoppingToken);
                        lastReconcile = time.GetUtcNow();
                    }

                    // Wait for a free slot, then claim as many deliveries as there are free slots.
                    await slots.WaitAsync(stoppingToken);
                    var free = slots.CurrentCount + 1;
                    var claimed = await ClaimAsync(free, stoppingToken);
                    if (claimed.Count == 0)
                    {
                        slots.Release();
                        await signal.WaitAsync(_options.PollInterval, stoppingToken);
                        continue;
                    }

                    for (var i = 0; i < claimed.Count; i++)
                    {
                        if (i > 0)
                        {
                            await slots.WaitAsync(stoppingToken);
                        }

                        var delivery = claimed[i];
                        var task = Task.Run(async () =>
                        {
                            try
                            {
                                if (await SendAsync(delivery, stoppingToken) is { } attempt)
                                {
                                    await RecordAsync(delivery, attempt);
                                }
                            }
                            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                            {
                                // Left in 'sending': settled as in doubt when its lock expires.
                                LogSendCrashed(delivery.Id, ex);
                            }
                            finally
                            {
                                slots.Release();
                            }
                        }, CancellationToken.None);
                        lock (inFlight)
                        {
                            inFlight.Add(task);
                        }

                        _ = task.ContinueWith(t => { lock (inFlight) { inFlight.Remove(t); } }, TaskScheduler.Default);
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    LogBatchFailed(ex);
                    await Task.Delay(_options.PollInterval, time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Let the sends under way record their answers; anything still open stays in doubt.
        Task[] remaining;
        lock (inFlight)
        {
            remaining = [.. inFlight];
        }

        await Task.WhenAny(Task.WhenAll(remaining), Task.Delay(TimeSpan.FromSeconds(10), time));
    }

    /// <summary>Marks up to <paramref name="count"/> due deliveries as being sent by this dispatcher.</summary>
    private async Task<List<Delivery>> ClaimAsync(int count, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotifierDb>();
        // One short statement; SKIP LOCKED lets several Notifier instances share the work.
        return await db.Deliveries.FromSql($"""
            WITH c AS (
                SELECT id FROM deliveries
                WHERE status IN ('queued', 'deferred') AND queue_id IS NULL AND next_attempt_at <= now()
                ORDER BY next_attempt_at
                LIMIT {count}
                FOR UPDATE SKIP LOCKED)
            UPDATE deliveries d
               SET status = 'sending', attempts = d.attempts + 1, locked_until = now() + {_options.LockDuration}, updated_at = now()
              FROM c
             WHERE d.id = c.id
            RETURNING d.*
            """).AsNoTracking().ToListAsync(ct);
    }

    /// <summary>
    /// A delivery left in <c>sending</c> past its lock belonged to a dispatcher that died during
    /// the hand-over: the mail server may or may not have accepted it. Ask the mail server's log
    /// first; resend only what it never accepted.
    /// </summary>
    internal async Task ReconcileInDoubtAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotifierDb>();
        var inDoubt = await db.Deliveries.FromSql($"""
            WITH c AS (
                SELECT id FROM deliveries
                WHERE status = 'sending' AND locked_until < now()
                ORDER BY locked_until
                LIMIT {_maxInFlight}
                FOR UPDATE SKIP LOCKED)
            UPDATE deliveries d
               SET locked_until = now() + {_options.LockDuration}, updated_at = now()
              FROM c
             WHERE d.id = c.id
            RETURNING d.*
            """).AsNoTracking().ToListAsync(ct);
        if (inDoubt.Count == 0)
        {
            return;
        }

        var domain = mail.Value.MessageIdDomain;
        Dictionary<string, string> accepted;
        var checkedLog = mailLog.IsConfigured;
        try
        {
            accepted = await mailLog.FindAcceptedAsync(
                inDoubt.ToDictionary(d => d.MessageIdHeader(domain), d => bounces.Value.ReturnPath(d.Id), StringComparer.Ordinal), ct);
        }
        catch (IOException ex)
        {
            // Better twice than never: an unreadable log must not strand these deliveries.
            LogMailLogUnreadable(ex);
            accepted = [];
            checkedLog = false;
        }
        catch (UnauthorizedAccessException ex)
        {
            LogMailLogUnreadable(ex);
            accepted = [];
            checkedLog = false;
        }

        foreach (var delivery in inDoubt)
        {
            var now = time.GetUtcNow();
            DeliveryAttempt attempt;
            if (accepted.TryGetValue(delivery.MessageIdHeader(domain), out var queueId))
            {
                delivery.QueueId = queueId;
                attempt = NewAttempt(delivery, now, 0, "sent", 250, $"accepted before the Notifier stopped (found in the mail log as {queueId})");
            }
            else
            {
                if (!checkedLog)
                {
                    LogResendingUnchecked(delivery.Id);
                }

                attempt = NewAttempt(delivery, now, 0, "interrupted", null,
                    checkedLog ? "the Notifier stopped during this attempt; the mail server never accepted the message" : "the Notifier stopped during this attempt; no mail log to check, sending again");
            }

            await RecordAsync(delivery, attempt);
        }
    }

    /// <summary>One attempt; null when its outcome is unknown (the delivery stays in doubt until its lock expires).</summary>
    private async Task<DeliveryAttempt?> SendAsync(Delivery delivery, CancellationToken ct)
    {
        var started = time.GetUtcNow();
        var clock = Stopwatch.StartNew();

        MimeMessage message;
        try
        {
            message = Compose(delivery);
        }
        catch (ParseException ex)
        {
            return NewAttempt(delivery, started, 0, "failed", null, $"Unusable recipient address: {ex.Message}");
        }
        catch (LinkUnavailableException ex)
        {
            return NewAttempt(delivery, started, 0, "failed", null, ex.Message);
        }

        using var activity = ActivitySource.StartActivity("smtp send", ActivityKind.Client, delivery.TraceParent ?? default(string));
        activity?.SetTag("salesmind.delivery.id", delivery.Id.ToString());
        activity?.SetTag("salesmind.delivery.template", delivery.Template);
        activity?.SetTag("salesmind.delivery.attempt", delivery.Attempts);
        if (activity?.Id is { } traceParent)
        {
            // Lets an operator go from an email (or the mail log) to its trace.
            message.Headers.Add("X-SalesMind-Trace", traceParent);
        }

        try
        {
            var accepted = await smtp.SendAsync(message, bounces.Value.ReturnPath(delivery.Id), ct);
            delivery.QueueId = accepted.QueueId;
            return NewAttempt(delivery, started, clock.ElapsedMilliseconds, "sent", 250, accepted.Reply);
        }
        catch (SmtpRejectedException ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, $"{ex.Code} {ex.Reply}");
            return NewAttempt(delivery, started, clock.ElapsedMilliseconds, ex.IsPermanent ? "failed" : "deferred", ex.Code, $"{ex.Code} {ex.Reply}");
        }
        catch (SmtpOutcomeUnknownException ex)
        {
            LogOutcomeUnknown(delivery.Id, ex);
            return null;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return NewAttempt(delivery, started, clock.ElapsedMilliseconds, "deferred", null, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private static DeliveryAttempt NewAttempt(Delivery delivery, DateTimeOffset started, long durationMs, string outcome, int? code, string? reply) => new()
    {
        DeliveryId = delivery.Id,
        Number = delivery.Attempts,
        StartedAt = started,
        DurationMs = (int)durationMs,
        Outcome = outcome,
        SmtpCode = code,
        Reply = reply is { Length: > 1000 } ? reply[..1000] : reply,
    };

    /// <summary>
    /// Writes the attempt and the delivery's new state, if this dispatcher still owns the
    /// delivery (its lock is the one it claimed with; a takeover after an expired lock wins).
    /// </summary>
    private async Task RecordAsync(Delivery delivery, DeliveryAttempt attempt)
    {
        var claimedLock = delivery.LockedUntil;
        Apply(delivery, attempt);

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotifierDb>();
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
                .SetProperty(d => d.NextAttemptAt, delivery.NextAttemptAt)
                .SetProperty(d => d.SentAt, delivery.SentAt)
                .SetProperty(d => d.LockedUntil, (DateTimeOffset?)null)
                .SetProperty(d => d.UpdatedAt, delivery.UpdatedAt), CancellationToken.None);
        if (updated == 0)
        {
            LogLostOwnership(delivery.Id, attempt.Outcome);
            return;
        }

        if (delivery.Status is DeliveryStatus.Sent or DeliveryStatus.Failed or DeliveryStatus.Abandoned)
        {
            // The dispatcher is done with the working link (handed over, or failed for good): it
            // is not kept a moment longer. A retry of a failed one asks for a new link instead.
            await db.Deliveries.Where(d => d.Id == delivery.Id && d.SealedBody != null)
                .ExecuteUpdateAsync(set => set.SetProperty(d => d.SealedBody, (byte[]?)null), CancellationToken.None);
        }

        db.DeliveryAttempts.Add(attempt);
        // The change and its event commit together (and, should the commit be lost, vanish together).
        var now = time.GetUtcNow();
        db.AddOutboxMessage(new EmailDeliveryStatusChanged(
            delivery.Id, delivery.SourceMessageId, delivery.Template, delivery.Recipient,
            delivery.Status.ToString().ToLowerInvariant(), delivery.LastError, delivery.Attempts, now), now);
        await db.SaveChangesAsync(CancellationToken.None);
        await tx.CommitAsync(CancellationToken.None);
        Attempts.Add(1, new KeyValuePair<string, object?>("outcome", attempt.Outcome));
        if (attempt.Outcome != "interrupted")
        {
            SmtpDuration.Record(attempt.DurationMs, new KeyValuePair<string, object?>("outcome", attempt.Outcome));
        }

        StatusChanges.Add(1, new KeyValuePair<string, object?>("status", delivery.Status.ToString().ToLowerInvariant()));
    }

    private void Apply(Delivery delivery, DeliveryAttempt attempt)
    {
        var now = time.GetUtcNow();
        delivery.UpdatedAt = now;
        switch (attempt.Outcome)
        {
            case "sent":
                delivery.Status = DeliveryStatus.Sent;
                delivery.SentAt = now;
                delivery.LastError = null;
                LogSent(delivery.Id, delivery.Template, delivery.QueueId);
                break;
            case "failed":
                delivery.Status = DeliveryStatus.Failed;
                delivery.LastError = attempt.Reply;
                LogFailed(delivery.Id, delivery.Template, attempt.Reply);
                break;
            case "interrupted":
                // Not the message's fault: straight back in line, without waiting out a backoff.
                delivery.Status = DeliveryStatus.Queued;
                delivery.NextAttemptAt = now;
                delivery.LastError = attempt.Reply;
                break;
            default:
                delivery.LastError = attempt.Reply;
                if (delivery.Attempts - delivery.RetryFrom >= _options.MaxAttempts)
                {
                    delivery.Status = DeliveryStatus.Abandoned;
                    LogAbandoned(delivery.Id, delivery.Attempts, attempt.Reply);
                }
                else
                {
                    delivery.Status = DeliveryStatus.Deferred;
                    delivery.NextAttemptAt = now + _options.DelayAfter(delivery.Attempts);
                    LogDeferred(delivery.Id, delivery.Attempts, delivery.NextAttemptAt, attempt.Reply);
                }

                break;
        }
    }

    private MimeMessage Compose(Delivery delivery)
    {
        var from = mail.Value;
        var message = new MimeMessage();
        // The sender chosen when the email was rendered; rows from before senders existed use the configured one.
        message.From.Add(new MailboxAddress(delivery.FromName ?? from.FromName, delivery.FromAddress ?? from.FromAddress));
        if (delivery.ReplyTo is { } replyTo)
        {
            message.ReplyTo.Add(MailboxAddress.Parse(replyTo));
        }

        var to = MailboxAddress.Parse(delivery.Recipient);
        if (!string.Equals(to.Address, delivery.Recipient, StringComparison.OrdinalIgnoreCase))
        {
            // "x <a@b.c>" must not become a@b.c: only a bare address is a recipient.
            throw new ParseException($"'{delivery.Recipient}' is not a bare address.", 0, 0);
        }

        message.To.Add(to);
        var live = LiveRendering(delivery);
        message.Subject = live.Subject;
        message.Date = delivery.CreatedAt;
        // The same Message-ID on every attempt: if a resend ever happens, it is visibly the same email.
        message.MessageId = delivery.MessageIdHeader(from.MessageIdDomain);
        message.Headers.Add("X-SalesMind-Delivery", delivery.Id.ToString());
        message.Headers.Add("X-SalesMind-Template", delivery.Template);
        if (delivery.Kind == DeliveryKinds.Test)
        {
            message.Headers.Add("X-SalesMind-Test", "true");
        }

        message.Body = new BodyBuilder { TextBody = live.Text, HtmlBody = live.Html }.ToMessageBody();
        return message;
    }

    /// <summary>What to send: the sealed rendering with working links, or the stored one when the email has no secret link.</summary>
    private RenderedEmail LiveRendering(Delivery delivery)
    {
        if (delivery.SealedBody is { } sealedBody)
        {
            try
            {
                return sealer.Open(delivery.Id, sealedBody);
            }
            catch (CryptographicException)
            {
                throw new LinkUnavailableException(
                    "The email's working link cannot be opened (was Notifier:BodyEncryptionKey changed?): the user needs to ask for a new link.");
            }
        }

        if (delivery.LinksRedacted)
        {
            // Never send the redacted copy: its link would not work.
            throw new LinkUnavailableException("The email's single-use link is no longer kept: the user needs to ask for a new link.");
        }

        return new RenderedEmail(delivery.Subject, delivery.HtmlBody, delivery.TextBody);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Sending delivery {DeliveryId} failed unexpectedly; it is settled when its lock expires")]
    private partial void LogSendCrashed(Guid deliveryId, Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dispatch loop failed; retrying after the poll interval")]
    private partial void LogBatchFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery {DeliveryId} ({Template}) accepted by the mail server as {QueueId}")]
    private partial void LogSent(Guid deliveryId, string template, string? queueId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} ({Template}) refused permanently: {Reply}")]
    private partial void LogFailed(Guid deliveryId, string template, string? reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} deferred after attempt {Attempts} until {NextAttemptAt}: {Reply}")]
    private partial void LogDeferred(Guid deliveryId, int attempts, DateTimeOffset nextAttemptAt, string? reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId}: the mail server's answer was lost after the message was sent; it will be checked against the mail log")]
    private partial void LogOutcomeUnknown(Guid deliveryId, Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "The mail log (Smtp:MailLogPath) cannot be read; in-doubt deliveries are sent again unchecked")]
    private partial void LogMailLogUnreadable(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} was in doubt and the mail log (Smtp:MailLogPath) could not be checked: sending it again, possibly twice")]
    private partial void LogResendingUnchecked(Guid deliveryId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} was taken over by another dispatcher before its {Outcome} result was saved; that dispatcher settles it")]
    private partial void LogLostOwnership(Guid deliveryId, string outcome);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery {DeliveryId} abandoned after {Attempts} attempts: {Reply}")]
    private partial void LogAbandoned(Guid deliveryId, int attempts, string? reply);
}

/// <summary>The working copy of an email with a secret link is gone or unreadable: it cannot be sent.</summary>
public sealed class LinkUnavailableException(string message) : Exception(message);
