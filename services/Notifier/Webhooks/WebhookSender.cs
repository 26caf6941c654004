using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesMind.Notifier.Data;
using SalesMind.Outbox;

namespace SalesMind.Notifier.Webhooks;

/// <summary>Wakes the webhook sender when events were queued.</summary>
public sealed class WebhookSignal : WakeSignal;

/// <summary>The states of a <see cref="WebhookDelivery"/>.</summary>
public enum WebhookDeliveryState
{
    /// <summary>Waiting for its next try (or being posted, under a lease).</summary>
    Pending,

    /// <summary>The endpoint answered 2xx.</summary>
    Succeeded,

    /// <summary>Every try failed; an admin can send it again.</summary>
    Failed,
}

/// <summary>The names of <see cref="WebhookDeliveryState"/> as stored and shown (lower case).</summary>
public static class WebhookDeliveryStatus
{
    public static readonly string Pending = WebhookDeliveryState.Pending.Name();
    public static readonly string Succeeded = WebhookDeliveryState.Succeeded.Name();
    public static readonly string Failed = WebhookDeliveryState.Failed.Name();

    public static string Name(this WebhookDeliveryState state) => state.ToString().ToLowerInvariant();
}

/// <summary>
/// Posts due webhook events. A row is claimed with SKIP LOCKED and a lease (<c>locked_until</c>)
/// so several Notifier instances share the work and a row whose sender died is taken over when
/// its lease ends; every POST is an attempt row; a failure is retried with backoff until
/// <see cref="WebhookOptions.MaxAttempts"/>, then the event is failed (an admin can retry it).
/// Events of a disabled endpoint wait until it is enabled again (test events go anyway).
/// </summary>
public sealed partial class WebhookSender(
    IServiceScopeFactory scopes,
    WebhookPoster poster,
    WebhookSecrets secrets,
    WebhookSignal signal,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookSender> logger) : BackgroundService
{
    /// <summary>The Notifier's meter (the name telemetry already listens to).</summary>
    private static readonly Meter Meter = new("SalesMind.Notifier");

    private static readonly Counter<long> Deliveries = Meter.CreateCounter<long>(
        "salesmind.webhooks.deliveries", description: "Webhook POSTs by outcome: succeeded, retrying (failed, will be tried again), failed (gave up)");

    private readonly WebhookOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var claimed = await ClaimAsync(_options.MaxInFlight, stoppingToken);
                if (claimed.Count == 0)
                {
                    await signal.WaitAsync(_options.PollInterval, stoppingToken);
                    continue;
                }

                await Task.WhenAll(claimed.Select(c => SendAsync(c, stoppingToken)));
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

    /// <summary>One claimed row with what posting it needs.</summary>
    private sealed record Claimed(Guid Id, Guid EndpointId, Guid EventId, string EventType, string Payload, int Attempts, string Url, byte[] SealedSecret);

    private async Task<List<Claimed>> ClaimAsync(int count, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotifierDb>();
        var rows = await db.WebhookDeliveries.FromSql($"""
            WITH c AS (
                SELECT d.id FROM webhook_deliveries d
                  JOIN webhook_endpoints e ON e.id = d.endpoint_id
                 WHERE d.status = {WebhookDeliveryStatus.Pending} AND d.next_attempt_at <= now()
                   AND (d.locked_until IS NULL OR d.locked_until < now())
                   AND (e.enabled OR d.event_type = {WebhookEvents.TestType})
                 ORDER BY d.next_attempt_at
                 LIMIT {count}
                 FOR UPDATE OF d SKIP LOCKED)
            UPDATE webhook_deliveries d
               SET locked_until = now() + {_options.LockDuration}, attempts = d.attempts + 1
              FROM c
             WHERE d.id = c.id
            RETURNING d.*
            """).AsNoTracking().ToListAsync(ct);
        if (rows.Count == 0)
        {
            return [];
        }

        var ids = rows.Select(r => r.EndpointId).Distinct().ToList();
        var endpoints = await db.WebhookEndpoints.AsNoTracking().Where(e => ids.Contains(e.Id)).ToDictionaryAsync(e => e.Id, ct);
        return [.. rows.Where(r => endpoints.ContainsKey(r.EndpointId))
            .Select(r => new Claimed(r.Id, r.EndpointId, r.EventId, r.EventType, r.Payload, r.Attempts, endpoints[r.EndpointId].Url, endpoints[r.EndpointId].SealedSecret))];
    }

    private async Task SendAsync(Claimed c, CancellationToken ct)
    {
        var started = time.GetUtcNow();
        WebhookPostResult result;
        try
        {
            var secret = secrets.Open(c.EndpointId, c.SealedSecret);
            result = await poster.PostAsync(c.Url, c.EventId, c.EventType, c.Payload, secret, started, ct);
        }
        catch (CryptographicException)
        {
            result = new WebhookPostResult(null, "the endpoint's secret cannot be opened (Notifier:BodyEncryptionKey changed?): rotate the secret", TimeSpan.Zero);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // Recorded like any failed try, so one odd row is retried and then failed, not re-claimed forever.
            result = new WebhookPostResult(null, $"could not send: {ex.GetType().Name}: {ex.Message}", TimeSpan.Zero);
        }

        try
        {
            await RecordAsync(c, started, result, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The lease runs out and the event is posted again: receivers de-duplicate on its id.
            LogRecordFailed(c.Id, ex);
        }
    }

    private async Task RecordAsync(Claimed c, DateTimeOffset started, WebhookPostResult result, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotifierDb>();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var row = await db.WebhookDeliveries.FromSql($"SELECT * FROM webhook_deliveries WHERE id = {c.Id} FOR UPDATE").SingleOrDefaultAsync(ct);
        if (row is null)
        {
            return; // the endpoint was deleted meanwhile
        }

        var number = await db.WebhookAttempts.CountAsync(a => a.WebhookDeliveryId == c.Id, ct) + 1;
        db.WebhookAttempts.Add(new WebhookAttempt
        {
            WebhookDeliveryId = c.Id,
            Number = number,
            StartedAt = started,
            DurationMs = (int)Math.Min(int.MaxValue, result.Duration.TotalMilliseconds),
            StatusCode = result.StatusCode,
            Error = Truncate(result.Error),
        });
        var now = time.GetUtcNow();
        row.LastStatusCode = result.StatusCode;
        row.LastError = Truncate(result.Error);
        row.LockedUntil = null;
        string outcome;
        if (result.Succeeded)
        {
            (row.Status, row.CompletedAt, outcome) = (WebhookDeliveryStatus.Succeeded, now, WebhookDeliveryStatus.Succeeded);
        }
        else if (row.Attempts >= _options.MaxAttempts)
        {
            (row.Status, row.CompletedAt, outcome) = (WebhookDeliveryStatus.Failed, now, WebhookDeliveryStatus.Failed);
            LogGaveUp(c.Id, c.EndpointId, row.Attempts, result.Error);
        }
        else
        {
            row.NextAttemptAt = now + WebhookBackoff.Delay(row.Attempts, _options.FirstRetryDelay, _options.MaxRetryDelay, Random.Shared.NextDouble());
            outcome = "retrying";
            LogRetrying(c.Id, c.EndpointId, row.Attempts, result.Error, row.NextAttemptAt);
        }

        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        Deliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
    }

    private static string? Truncate(string? text) => text is { Length: > 1000 } ? text[..1000] : text;

    [LoggerMessage(Level = LogLevel.Error, Message = "The webhook sender's batch failed; trying again shortly")]
    private partial void LogBatchFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "The answer to webhook event delivery {Id} could not be recorded; it will be posted again when its lease ends")]
    private partial void LogRecordFailed(Guid id, Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {Id} to endpoint {EndpointId} failed (attempt {Attempt}: {Error}); next try at {NextAttemptAt}")]
    private partial void LogRetrying(Guid id, Guid endpointId, int attempt, string? error, DateTimeOffset nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {Id} to endpoint {EndpointId} failed after {Attempts} attempts ({Error}); an admin can retry it")]
    private partial void LogGaveUp(Guid id, Guid endpointId, int attempts, string? error);
}
