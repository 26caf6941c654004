using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesMind.Notifier.Admin;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Ledger;
using SalesMind.ServiceDefaults;

namespace SalesMind.Notifier.Webhooks;

/// <summary>The admin API of outcome webhooks: endpoints, their secrets, their delivery logs, test events and retries.</summary>
public static class WebhookEndpointsApi
{
    public sealed record EndpointRequest(string? Url, string? Description, List<string>? Events, bool? Enabled);

    public sealed record EndpointView(
        Guid Id, string Url, string? Description, List<string> Events, bool Enabled, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset UpdatedAt);

    /// <summary>An endpoint with its signing secret: the only answers that ever show it (create, rotate).</summary>
    public sealed record EndpointWithSecret(
        Guid Id, string Url, string? Description, List<string> Events, bool Enabled, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset UpdatedAt,
        string Secret);

    public sealed record AttemptView(int Number, DateTimeOffset StartedAt, int DurationMs, int? StatusCode, string? Error);

    public sealed record DeliveryView(
        Guid Id, Guid EventId, string EventType, string Status, int Attempts, DateTimeOffset NextAttemptAt, int? LastStatusCode, string? LastError,
        DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt, JsonElement Payload, List<AttemptView> AttemptLog);

    public sealed record DeliveryPage(List<DeliveryView> Items, int? NextOffset);

    /// <summary>Maps the API under <c>/api/admin/webhooks</c>, for admins only, like the rest of the admin API.</summary>
    public static WebApplication MapWebhooks(this WebApplication app)
    {
        var hooks = app.MapGroup("/api/admin/webhooks").RequireAuthorization(AdminAuth.AdminPolicy).WithTags("Webhooks");
        var at = new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
        var id = Guid.Parse("0193f4a2-7c1e-7d40-9a51-3c2b1f0e9d90");
        List<string> events = [.. new[] { DeliveryStatus.Bounced, DeliveryStatus.Complained, DeliveryStatus.Failed }.Select(s => s.Name())];
        var view = new EndpointView(id, "https://hooks.example.com/salesmind", "CRM bounce sync", events, true, at, "admin", at);
        var request = new EndpointRequest("https://hooks.example.com/salesmind", "CRM bounce sync", events, true);
        var withSecret = new EndpointWithSecret(view.Id, view.Url, view.Description, view.Events, view.Enabled, at, "admin", at,
            "whsec_3q2-7wAAAAD9Lq8e1Xo0b6WkqXc4QyZp2u5rT8vN1mE");
        var eventId = Guid.Parse("0193f4a2-8000-7000-8000-00000000e001");
        var payload = JsonSerializer.SerializeToElement(new
        {
            id = eventId,
            type = "delivery.bounced",
            created_at = at,
            data = new
            {
                delivery_id = Guid.Parse("0193f4a2-7c1e-7d40-9a51-3c2b1f0e9d88"),
                template = "welcome",
                recipient = "gone@example.org",
                status = events[0],
                failure_class = "hard",
                diagnostic = "550 5.1.1 user unknown",
                attempt = 1,
                occurred_at = at,
            },
        });
        var delivery = new DeliveryView(Guid.Parse("0193f4a2-8000-7000-8000-00000000d001"), eventId, "delivery.bounced", WebhookDeliveryStatus.Succeeded, 2, at, 200, null,
            at, at.AddSeconds(31), payload,
            [new AttemptView(1, at, 120, 500, "HTTP 500: upstream unavailable"), new AttemptView(2, at.AddSeconds(31), 85, 200, null)]);

        hooks.MapGet("/", ListAsync).WithSummary("List webhook endpoints (never their secrets)")
            .WithExample(response: new[] { view });
        hooks.MapPost("/", CreateAsync).WithSummary("Register an endpoint; the answer shows its signing secret, once")
            .WithDescription("`url` must be https (http only where `Webhooks:AllowHttp` is true) and must not resolve to a loopback, private, " +
                "link-local or other internal address unless that network is in `Webhooks:AllowedPrivateNetworks`. `events`: any of " +
                "delivered, bounced, complained, deferred, failed, suppressed. The secret (`whsec_…`) is shown in this answer only; keep it " +
                "where the receiver can read it, or rotate it later.")
            .WithExample(request, withSecret, 201);
        hooks.MapGet("/{id:guid}", GetAsync).WithSummary("One webhook endpoint").WithExample(response: view);
        hooks.MapPut("/{id:guid}", UpdateAsync).WithSummary("Change an endpoint's URL, events, description or enabled flag (fields left out stay)")
            .WithExample(request with { Enabled = false }, view with { Enabled = false });
        hooks.MapPost("/{id:guid}/rotate-secret", RotateAsync).WithSummary("Replace the signing secret; the answer shows the new one, once")
            .WithDescription("The old secret stops signing at once: update the receiver right after.")
            .WithExample(response: withSecret with { Secret = "whsec_Jc5kq0mZ8rYp1xV3bT6wN9dL2fH4gS7aE0uQ8iO1zKs" });
        hooks.MapDelete("/{id:guid}", DeleteAsync).WithSummary("Delete an endpoint with its delivery log").WithExample(status: 204);
        hooks.MapGet("/{id:guid}/deliveries", DeliveriesAsync).WithSummary("The endpoint's delivery log, newest first, with every attempt")
            .WithDescription("Page with `offset` = the previous page's `next_offset`; `limit` 1–100 (default 20).")
            .WithExample(response: new DeliveryPage([delivery], 20));
        hooks.MapPost("/{id:guid}/test", TestAsync).WithSummary("Queue a test event (type `test`) to this endpoint, signed like every event")
            .WithExample(response: delivery with
            {
                EventType = WebhookEvents.TestType, Status = WebhookDeliveryStatus.Pending, Attempts = 0, LastStatusCode = null, CompletedAt = null, AttemptLog = [],
                Payload = JsonSerializer.SerializeToElement(new { id = eventId, type = "test", created_at = at, data = new { endpoint_id = id, message = "A test event from SalesMind" } }),
            }, status: 202);
        hooks.MapPost("/{id:guid}/deliveries/{deliveryId:guid}/retry", RetryAsync)
            .WithSummary("Send a failed event again (a new round of tries)")
            .WithExample(response: delivery with { Status = WebhookDeliveryStatus.Pending, CompletedAt = null });
        return app;
    }

    internal static async Task<Ok<List<EndpointView>>> ListAsync(NotifierDb db, CancellationToken ct) =>
        TypedResults.Ok((await db.WebhookEndpoints.AsNoTracking().OrderBy(e => e.CreatedAt).ToListAsync(ct)).Select(View).ToList());

    internal static async Task<Results<Ok<EndpointView>, ProblemHttpResult>> GetAsync(Guid id, NotifierDb db, CancellationToken ct) =>
        await db.WebhookEndpoints.AsNoTracking().SingleOrDefaultAsync(e => e.Id == id, ct) is { } e ? TypedResults.Ok(View(e)) : NotFound(id);

    internal static async Task<Results<Created<EndpointWithSecret>, ValidationProblem>> CreateAsync(
        EndpointRequest? request, NotifierDb db, WebhookSecrets secrets, IOptions<WebhookOptions> options, ClaimsPrincipal admin, TimeProvider time,
        CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var url = await CheckUrlAsync(request?.Url, options.Value, errors, ct);
        var events = CheckEvents(request?.Events, errors);
        var description = CheckDescription(request?.Description, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The webhook endpoint has problems");
        }

        var now = time.GetUtcNow();
        var endpointId = Guid.CreateVersion7(now);
        var secret = WebhookSecrets.Generate();
        var endpoint = new WebhookEndpoint
        {
            Id = endpointId,
            Url = url!,
            Description = description,
            Events = [.. events!],
            Enabled = request!.Enabled ?? true,
            SealedSecret = secrets.Seal(endpointId, secret),
            CreatedAt = now,
            CreatedBy = AuditLog.ActorOf(admin),
            UpdatedAt = now,
        };
        db.WebhookEndpoints.Add(endpoint);
        AuditLog.Add(db, admin, now, "webhook.created", Target(endpointId), null, View(endpoint));
        await db.SaveChangesAsync(ct);
        return TypedResults.Created($"webhooks/{endpointId}", WithSecret(endpoint, secret));
    }

    internal static async Task<Results<Ok<EndpointView>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid id, EndpointRequest? request, NotifierDb db, IOptions<WebhookOptions> options, ClaimsPrincipal admin, TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var url = request?.Url is null ? null : await CheckUrlAsync(request.Url, options.Value, errors, ct);
        var events = request?.Events is null ? null : CheckEvents(request.Events, errors);
        var description = request?.Description is null ? null : CheckDescription(request.Description, errors);
        if (request is null)
        {
            errors["url"] = ["Send at least one of url, events, description, enabled."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The webhook endpoint has problems");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await LockAsync(db, id, ct) is not { } endpoint)
        {
            return NotFound(id);
        }

        var before = View(endpoint);
        endpoint.Url = url ?? endpoint.Url;
        endpoint.Events = events is null ? endpoint.Events : [.. events];
        // An empty description clears it.
        endpoint.Description = request!.Description is null ? endpoint.Description : description;
        endpoint.Enabled = request.Enabled ?? endpoint.Enabled;
        endpoint.UpdatedAt = time.GetUtcNow();
        AuditLog.Add(db, admin, endpoint.UpdatedAt, "webhook.updated", Target(id), before, View(endpoint));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(View(endpoint));
    }

    internal static async Task<Results<Ok<EndpointWithSecret>, ProblemHttpResult>> RotateAsync(
        Guid id, NotifierDb db, WebhookSecrets secrets, ClaimsPrincipal admin, TimeProvider time, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await LockAsync(db, id, ct) is not { } endpoint)
        {
            return NotFound(id);
        }

        var secret = WebhookSecrets.Generate();
        endpoint.SealedSecret = secrets.Seal(id, secret);
        endpoint.UpdatedAt = time.GetUtcNow();
        // The audit says that it changed, never what it is.
        AuditLog.Add(db, admin, endpoint.UpdatedAt, "webhook.secret-rotated", Target(id), null, null);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(WithSecret(endpoint, secret));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, NotifierDb db, ClaimsPrincipal admin, TimeProvider time, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await LockAsync(db, id, ct) is not { } endpoint)
        {
            return NotFound(id);
        }

        AuditLog.Add(db, admin, time.GetUtcNow(), "webhook.deleted", Target(id), View(endpoint), null);
        db.WebhookEndpoints.Remove(endpoint);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<DeliveryPage>, ValidationProblem, ProblemHttpResult>> DeliveriesAsync(
        Guid id, NotifierDb db, int? offset, int? limit, CancellationToken ct)
    {
        var (skip, take) = (offset ?? 0, limit ?? 20);
        var errors = new Dictionary<string, string[]>();
        if (take is < 1 or > 100)
        {
            errors["limit"] = ["limit must be between 1 and 100."];
        }

        if (skip < 0)
        {
            errors["offset"] = ["offset must be 0 or more."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (!await db.WebhookEndpoints.AnyAsync(e => e.Id == id, ct))
        {
            return NotFound(id);
        }

        var rows = await db.WebhookDeliveries.AsNoTracking().Include(d => d.AttemptLog)
            .Where(d => d.EndpointId == id)
            .OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id)
            .Skip(skip).Take(take + 1)
            .AsSplitQuery()
            .ToListAsync(ct);
        var items = rows.Take(take).Select(DeliveryViewOf).ToList();
        return TypedResults.Ok(new DeliveryPage(items, rows.Count > take ? skip + take : null));
    }

    internal static async Task<Results<Accepted<DeliveryView>, ProblemHttpResult>> TestAsync(
        Guid id, NotifierDb db, WebhookSignal signal, ClaimsPrincipal admin, TimeProvider time, CancellationToken ct)
    {
        if (!await db.WebhookEndpoints.AnyAsync(e => e.Id == id, ct))
        {
            return NotFound(id);
        }

        var now = time.GetUtcNow();
        var eventId = Guid.CreateVersion7(now);
        var delivery = new WebhookDelivery
        {
            Id = Guid.CreateVersion7(now),
            EndpointId = id,
            EventId = eventId,
            EventType = WebhookEvents.TestType,
            Payload = WebhookEvents.TestPayload(eventId, id, now),
            Status = WebhookDeliveryStatus.Pending,
            NextAttemptAt = now,
            CreatedAt = now,
        };
        db.WebhookDeliveries.Add(delivery);
        AuditLog.Add(db, admin, now, "webhook.test-queued", Target(id), null, new { EventId = eventId });
        await db.SaveChangesAsync(ct);
        signal.Set();
        return TypedResults.Accepted($"webhooks/{id}/deliveries", DeliveryViewOf(delivery));
    }

    internal static async Task<Results<Ok<DeliveryView>, ProblemHttpResult>> RetryAsync(
        Guid id, Guid deliveryId, NotifierDb db, WebhookSignal signal, ClaimsPrincipal admin, TimeProvider time, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var delivery = await db.WebhookDeliveries
            .FromSql($"SELECT * FROM webhook_deliveries WHERE id = {deliveryId} AND endpoint_id = {id} FOR UPDATE")
            .SingleOrDefaultAsync(ct);
        if (delivery is null)
        {
            return TypedResults.Problem($"Endpoint {id} has no event delivery {deliveryId}.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }

        if (delivery.Status != WebhookDeliveryStatus.Failed)
        {
            return TypedResults.Problem($"Only a failed event is sent again; this one is {delivery.Status}.",
                statusCode: StatusCodes.Status409Conflict, title: "Not failed");
        }

        var now = time.GetUtcNow();
        // A new round: Attempts counts this round's tries (the attempt log keeps numbering on).
        (delivery.Status, delivery.Attempts, delivery.NextAttemptAt, delivery.CompletedAt, delivery.LockedUntil) =
            (WebhookDeliveryStatus.Pending, 0, now, null, null);
        AuditLog.Add(db, admin, now, "webhook.delivery-retried", Target(id), null, new { DeliveryId = deliveryId, delivery.EventId });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        signal.Set();
        await db.Entry(delivery).Collection(d => d.AttemptLog).LoadAsync(ct);
        return TypedResults.Ok(DeliveryViewOf(delivery));
    }

    /// <summary>
    /// The URL's form, then every address its host resolves to now (the sender checks again at
    /// each connection). Adds a field error for <c>url</c> and returns null when refused.
    /// </summary>
    private static async Task<string?> CheckUrlAsync(string? url, WebhookOptions options, Dictionary<string, string[]> errors, CancellationToken ct)
    {
        if (WebhookAddressRules.CheckUrl(url, options.AllowHttp, out var uri) is { } problem)
        {
            errors["url"] = [problem];
            return null;
        }

        var host = WebhookAddressRules.HostOf(uri!);
        IPAddress[] addresses;
        if (WebhookAddressRules.LiteralAddress(host) is { } literal)
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                addresses = await Dns.GetHostAddressesAsync(host, timeout.Token);
            }
            catch (Exception ex) when (ex is SocketException or ArgumentException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                addresses = [];
            }

            if (addresses.Length == 0)
            {
                errors["url"] = [$"url: the host {host} could not be resolved; register it once its DNS name exists."];
                return null;
            }
        }

        var allowed = options.AllowedNetworks();
        foreach (var address in addresses)
        {
            if (WebhookAddressRules.Refusal(address, allowed) is { } kind)
            {
                errors["url"] = [$"url: the host {host} is {address}, a {kind} address. Webhooks go only to public addresses " +
                    "(an internal network can be allowed with Webhooks:AllowedPrivateNetworks)."];
                return null;
            }
        }

        return uri!.AbsoluteUri;
    }

    private static List<string>? CheckEvents(List<string>? events, Dictionary<string, string[]> errors)
    {
        var chosen = (events ?? []).Select(e => e?.Trim().ToLowerInvariant() ?? "").Distinct().ToList();
        var unknown = chosen.Where(e => !WebhookEvents.All.Contains(e)).ToList();
        if (chosen.Count == 0 || unknown.Count > 0)
        {
            errors["events"] = [(unknown.Count > 0 ? $"Unknown events: {string.Join(", ", unknown.Select(u => $"'{u}'"))}. " : "events is required. ") +
                $"Choose one or more of {string.Join(", ", WebhookEvents.All)}."];
            return null;
        }

        return [.. WebhookEvents.All.Where(chosen.Contains)];
    }

    private static string? CheckDescription(string? description, Dictionary<string, string[]> errors)
    {
        var text = description?.Trim() ?? "";
        if (text.Length > 200 || text.Any(char.IsControl))
        {
            errors["description"] = ["description must be at most 200 characters on one line."];
        }

        return text.Length == 0 ? null : text;
    }

    private static Task<WebhookEndpoint?> LockAsync(NotifierDb db, Guid id, CancellationToken ct) =>
        db.WebhookEndpoints.FromSql($"SELECT * FROM webhook_endpoints WHERE id = {id} FOR UPDATE").SingleOrDefaultAsync(ct);

    private static string Target(Guid id) => $"webhook:{id}";

    private static EndpointView View(WebhookEndpoint e) =>
        new(e.Id, e.Url, e.Description, [.. e.Events], e.Enabled, e.CreatedAt, e.CreatedBy, e.UpdatedAt);

    private static EndpointWithSecret WithSecret(WebhookEndpoint e, string secret) =>
        new(e.Id, e.Url, e.Description, [.. e.Events], e.Enabled, e.CreatedAt, e.CreatedBy, e.UpdatedAt, secret);

    private static DeliveryView DeliveryViewOf(WebhookDelivery d) =>
        new(d.Id, d.EventId, d.EventType, d.Status, d.Attempts, d.NextAttemptAt, d.LastStatusCode, d.LastError, d.CreatedAt, d.CompletedAt,
            JsonSerializer.Deserialize<JsonElement>(d.Payload),
            [.. d.AttemptLog.OrderBy(a => a.Number).Select(a => new AttemptView(a.Number, a.StartedAt, a.DurationMs, a.StatusCode, a.Error))]);

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem($"There is no webhook endpoint {id}.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
}
