using System.Diagnostics;
using Microsoft.Extensions.Options;
using MimeKit;
using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.Sending;

/// <summary>
/// Hands due deliveries to the mail server. A delivery is claimed (status <c>sending</c>, locked
/// for a while) with SKIP LOCKED so several Notifier instances share the work; each try is
/// recorded as an attempt. Temporary failures reschedule the delivery with backoff instead of
/// waiting here; permanent refusals end it.
/// </summary>
public sealed partial class Dispatcher(
    DeliveryClaims claims,
    InDoubtCheck inDoubt,
    MessageComposer composer,
    AttemptRecorder recorder,
    ISmtpSender smtp,
    DispatchSignal signal,
    IOptions<DeliveryOptions> options,
    IOptions<SmtpOptions> smtpOptions,
    IOptions<BounceOptions> bounces,
    TimeProvider time,
    ILogger<Dispatcher> logger) : BackgroundService
{
    /// <summary>The SMTP send of each attempt, a child of the trace that asked for the email.</summary>
    public static readonly ActivitySource ActivitySource = new(DeliveryLedger.MeterName);

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
                        await inDoubt.SettleAsync(_maxInFlight, stoppingToken);
                        lastReconcile = time.GetUtcNow();
                    }

                    // Wait for a free slot, then claim as many deliveries as there are free slots.
                    await slots.WaitAsync(stoppingToken);
                    var free = slots.CurrentCount + 1;
                    var claimed = await claims.ClaimDueAsync(free, stoppingToken);
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
                                if (await SendAsync(delivery, stoppingToken) is { } result)
                                {
                                    await recorder.RecordAsync(delivery, result.Attempt, result.QueueId);
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

    /// <summary>One attempt; null when its outcome is unknown (the delivery stays in doubt until its lock expires).</summary>
    private async Task<(DeliveryAttempt Attempt, string? QueueId)?> SendAsync(Delivery delivery, CancellationToken ct)
    {
        var started = time.GetUtcNow();
        var clock = Stopwatch.StartNew();

        MimeMessage message;
        try
        {
            message = composer.Compose(delivery);
        }
        catch (ParseException ex)
        {
            return (DeliveryAttempts.For(delivery, started, 0, AttemptOutcome.Failed, null, $"Unusable recipient address: {ex.Message}"), null);
        }
        catch (LinkUnavailableException ex)
        {
            return (DeliveryAttempts.For(delivery, started, 0, AttemptOutcome.Failed, null, ex.Message), null);
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
            return (DeliveryAttempts.For(delivery, started, clock.ElapsedMilliseconds, AttemptOutcome.Sent, 250, accepted.Reply), accepted.QueueId);
        }
        catch (SmtpRejectedException ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, $"{ex.Code} {ex.Reply}");
            var refused = DeliveryAttempts.For(delivery, started, clock.ElapsedMilliseconds, ex.IsPermanent ? AttemptOutcome.Failed : AttemptOutcome.Deferred, ex.Code, $"{ex.Code} {ex.Reply}");
            // Lets an operator find throttling and policy refusals among the traces.
            activity?.SetTag("salesmind.delivery.failure_class", refused.FailureClass?.Name());
            return (refused, null);
        }
        catch (SmtpOutcomeUnknownException ex)
        {
            LogOutcomeUnknown(delivery.Id, ex);
            return null;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return (DeliveryAttempts.For(delivery, started, clock.ElapsedMilliseconds, AttemptOutcome.Deferred, null, $"{ex.GetType().Name}: {ex.Message}"), null);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Sending delivery {DeliveryId} failed unexpectedly; it is settled when its lock expires")]
    private partial void LogSendCrashed(Guid deliveryId, Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dispatch loop failed; retrying after the poll interval")]
    private partial void LogBatchFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId}: the mail server's answer was lost after the message was sent; it will be checked against the mail log")]
    private partial void LogOutcomeUnknown(Guid deliveryId, Exception ex);
}
