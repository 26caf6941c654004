using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Smtp;

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
    DispatchSignal signal,
    IOptions<DeliveryOptions> options,
    IOptions<MailOptions> mail,
    TimeProvider time,
    ILogger<Dispatcher> logger) : BackgroundService
{
    private readonly DeliveryOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            var claimed = 0;
            try
            {
                claimed = await DispatchBatchAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogBatchFailed(ex);
            }

            if (claimed < _options.BatchSize)
            {
                try
                {
                    await signal.WaitAsync(_options.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Claims and sends one batch. Returns how many deliveries were claimed.</summary>
    internal async Task<int> DispatchBatchAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotifierDb>();

        // One short statement: a crashed dispatcher's 'sending' rows come back once their lock expires.
        var deliveries = await db.Deliveries.FromSql($"""
            WITH c AS (
                SELECT id FROM deliveries
                WHERE (status IN ('queued', 'deferred') AND next_attempt_at <= now())
                   OR (status = 'sending' AND locked_until < now())
                ORDER BY next_attempt_at
                LIMIT {_options.BatchSize}
                FOR UPDATE SKIP LOCKED)
            UPDATE deliveries d
               SET status = 'sending', attempts = d.attempts + 1, locked_until = now() + {_options.LockDuration}, updated_at = now()
              FROM c
             WHERE d.id = c.id
            RETURNING d.*
            """).AsTracking().ToListAsync(ct);
        if (deliveries.Count == 0)
        {
            return 0;
        }

        var outcomes = await Task.WhenAll(deliveries.Select(d => SendAsync(d, ct)));
        foreach (var (delivery, attempt) in deliveries.Zip(outcomes))
        {
            Apply(delivery, attempt);
            db.DeliveryAttempts.Add(attempt);
        }

        await db.SaveChangesAsync(CancellationToken.None);
        return deliveries.Count;
    }

    private async Task<DeliveryAttempt> SendAsync(Delivery delivery, CancellationToken ct)
    {
        var started = time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        DeliveryAttempt Attempt(string outcome, int? code, string? reply) => new()
        {
            DeliveryId = delivery.Id,
            Number = delivery.Attempts,
            StartedAt = started,
            DurationMs = (int)clock.ElapsedMilliseconds,
            Outcome = outcome,
            SmtpCode = code,
            Reply = reply is { Length: > 1000 } ? reply[..1000] : reply,
        };

        MimeMessage message;
        try
        {
            message = Compose(delivery);
        }
        catch (ParseException ex)
        {
            return Attempt("failed", null, $"Unusable recipient address: {ex.Message}");
        }

        try
        {
            var accepted = await smtp.SendAsync(message, ct);
            delivery.QueueId = accepted.QueueId;
            return Attempt("sent", 250, accepted.Reply);
        }
        catch (SmtpRejectedException ex)
        {
            return Attempt(ex.IsPermanent ? "failed" : "deferred", ex.Code, ex.Reply);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return Attempt("deferred", null, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private void Apply(Delivery delivery, DeliveryAttempt attempt)
    {
        var now = time.GetUtcNow();
        delivery.UpdatedAt = now;
        delivery.LockedUntil = null;
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
            default:
                delivery.LastError = attempt.Reply;
                if (delivery.Attempts >= _options.MaxAttempts)
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
        message.From.Add(new MailboxAddress(from.FromName, from.FromAddress));
        message.To.Add(MailboxAddress.Parse(delivery.Recipient));
        message.Subject = delivery.Subject;
        message.Date = delivery.CreatedAt;
        // The same Message-ID on every attempt: if a resend ever happens, it is visibly the same email.
        message.MessageId = delivery.MessageIdHeader(from.MessageIdDomain);
        message.Headers.Add("X-SalesMind-Delivery", delivery.Id.ToString());
        message.Headers.Add("X-SalesMind-Template", delivery.Template);
        message.Body = new BodyBuilder { TextBody = delivery.TextBody, HtmlBody = delivery.HtmlBody }.ToMessageBody();
        return message;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Dispatch batch failed; retrying after the poll interval")]
    private partial void LogBatchFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery {DeliveryId} ({Template}) accepted by the mail server as {QueueId}")]
    private partial void LogSent(Guid deliveryId, string template, string? queueId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} ({Template}) refused permanently: {Reply}")]
    private partial void LogFailed(Guid deliveryId, string template, string? reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} deferred after attempt {Attempts} until {NextAttemptAt}: {Reply}")]
    private partial void LogDeferred(Guid deliveryId, int attempts, DateTimeOffset nextAttemptAt, string? reply);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery {DeliveryId} abandoned after {Attempts} attempts: {Reply}")]
    private partial void LogAbandoned(Guid deliveryId, int attempts, string? reply);
}
