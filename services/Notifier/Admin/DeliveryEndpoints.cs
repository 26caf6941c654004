using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using SalesMind.Outbox;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Outcomes;

namespace SalesMind.Notifier.Admin;

/// <summary>The operators' view of the delivery ledger, and the suppression list.</summary>
public static class DeliveryEndpoints
{
    /// <param name="FailureClass">A deferred or failed attempt's class (<c>hard</c>, <c>soft</c>, <c>throttled</c>, <c>auth</c>, <c>unknown</c>); null otherwise.</param>
    public sealed record AttemptView(int Number, DateTimeOffset StartedAt, int DurationMs, string Outcome, int? SmtpCode, string? Reply, string? FailureClass = null);

    /// <param name="FailureClass">A failed or delayed report's class; null for news of a delivery.</param>
    public sealed record ReportView(DateTimeOffset ReceivedAt, string Source, string Action, string? Status, string? Diagnostic, string? RemoteMta, string? FailureClass = null);

    /// <param name="FailureClass">The class of the delivery's latest failure (kept after a later delivery or retry, as history); null while nothing failed.</param>
    public sealed record DeliverySummary(
        Guid Id, string Kind, string Template, string Locale, string Recipient, string Status, int Attempts, string? LastError,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? SentAt, DateTimeOffset? FinalAt, string? FailureClass = null);

    public sealed record DeliveryPage(List<DeliverySummary> Items, Guid? Next);

    public sealed record DeliveryView(
        Guid Id, string Kind, string Template, long? TemplateVersionId, string Locale, string Recipient, string Subject, string? From,
        string Status, int Attempts, string? QueueId, string? LastError, Guid SourceMessageId,
        DateTimeOffset? RequestedAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? SentAt, DateTimeOffset? FinalAt,
        List<AttemptView> AttemptLog, List<ReportView> Reports, string? TraceParent, string? HtmlBody, string? TextBody)
    {
        /// <summary>The class of the delivery's latest failure (kept after a later delivery or retry, as history); null while nothing failed.</summary>
        public string? FailureClass { get; init; }

        /// <summary>Reports sent to this delivery's signed return path that were rejected (their contents named something else).</summary>
        public List<RejectedReportEndpoints.RejectedReportView> RejectedReports { get; init; } = [];
    }

    public sealed record SuppressionView(string Address, string Reason, Guid? DeliveryId, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

    private static readonly string[] Statuses = Enum.GetValues<DeliveryStatus>().Select(s => s.Name()).ToArray();

    private static readonly string[] FailureClasses = Enum.GetValues<FailureClass>().Select(c => c.Name()).ToArray();

    public static RouteGroupBuilder MapDeliveries(this RouteGroupBuilder admin)
    {
        var at = new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);
        var id = Guid.Parse("0193f4a2-9b3d-7e10-8c42-5d6e7f8a9b0c");
        var queued = DeliveryStatus.Queued.Name();
        var summary = new DeliverySummary(id, DeliveryKinds.Event, "email-verification", "ja", "hanako@example.com", DeliveryStatus.Bounced.Name(), 1,
            "5.1.1 <hanako@example.com>: Recipient address rejected: User unknown", at, at.AddSeconds(3), at.AddSeconds(1), at.AddSeconds(3), FailureClass.Hard.Name());
        var deliveries = admin.MapGroup("/deliveries").WithTags("Deliveries");
        deliveries.MapGet("/", ListAsync)
            .WithSummary("Deliveries, newest first, filtered by status, recipient, template and time")
            .WithDescription("`status` (one or several, comma-separated), `recipient` (case-insensitive: the whole address `hanako@example.com`, " +
                "a prefix ending in `*` such as `hanako*`, or a domain starting with `@` such as `@example.com`), `template`, `from`/`to` " +
                "(creation time, ISO 8601), `failure_class` (one or several of `hard`, `soft`, `throttled`, `auth`, `unknown`: the class of " +
                "the delivery's latest failure), `limit` (1–200, default 50); the next page with `after` = the previous page's `next`.")
            .WithExample(response: new DeliveryPage([summary], id));
        deliveries.MapGet("/{id:guid}", GetAsync)
            .WithSummary("One delivery with its attempts and the reports about its fate; `?include=body` adds the rendered bodies")
            .WithExample(response: new DeliveryView(id, "event", "email-verification", 42, "ja", "hanako@example.com", "SalesMind メールアドレスの確認をお願いします",
                "no-reply@salesmind.example", DeliveryStatus.Bounced.Name(), 1, "4jcHfL0mkpzm4Gb", summary.LastError, Guid.Parse("0193f4a2-0000-7000-8000-00000000aaaa"),
                at, at, at.AddSeconds(3), at.AddSeconds(1), at.AddSeconds(3),
                [new AttemptView(1, at, 35, AttemptOutcome.Sent.Name(), 250, "2.0.0 Ok: queued as 4jcHfL0mkpzm4Gb")],
                [new ReportView(at.AddSeconds(3), ReportSources.Dsn, ReportActions.Failed, "5.1.1", summary.LastError, "mx.example.com", FailureClass.Hard.Name())],
                "00-5975e15ead32fe08b6dc9dc5f62ab694-f9b5d1d125e3ddef-01", null, null) { FailureClass = FailureClass.Hard.Name() });
        deliveries.MapPost("/{id:guid}/retry", RetryAsync)
            .WithSummary("Send a failed, abandoned or bounced delivery again (a fresh round of attempts)")
            .WithExample(response: summary with { Status = queued, LastError = null });

        var suppressions = admin.MapGroup("/suppressions").WithTags("Suppressions");
        suppressions.MapGet("/", SuppressionsAsync)
            .WithSummary("Addresses not sent to after a hard bounce, until their expiry")
            .WithExample(response: new[] { new SuppressionView("hanako@example.com", summary.LastError!, id, at, at.AddDays(30)) });
        suppressions.MapDelete("/{address}", LiftAsync)
            .WithSummary("Lift a suppression: the address gets email again (e.g. after the owner fixed their mailbox)");
        return admin;
    }

    internal static async Task<Results<Ok<DeliveryPage>, ValidationProblem>> ListAsync(
        NotifierDb db, string? status, string? recipient, string? template, DateTimeOffset? from, DateTimeOffset? to, Guid? after, int? limit,
        [FromQuery(Name = "failure_class")] string? failureClass, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var wanted = (status ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant()).ToList();
        if (wanted.FirstOrDefault(s => !Statuses.Contains(s)) is { } unknown)
        {
            errors["status"] = [$"Unknown status '{unknown}': use {string.Join(", ", Statuses)}."];
        }

        var classes = (failureClass ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(c => c.ToLowerInvariant()).ToList();
        if (classes.FirstOrDefault(c => !FailureClasses.Contains(c)) is { } unknownClass)
        {
            errors["failure_class"] = [$"Unknown failure class '{unknownClass}': use {string.Join(", ", FailureClasses)}."];
        }

        RecipientFilter? recipientFilter = null;
        if (!string.IsNullOrWhiteSpace(recipient))
        {
            (recipientFilter, var problem) = RecipientFilter.Parse(recipient);
            if (problem is not null)
            {
                errors["recipient"] = [problem];
            }
        }

        var take = limit ?? 50;
        if (take is < 1 or > 200)
        {
            errors["limit"] = ["limit must be between 1 and 200."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var query = db.Deliveries.AsNoTracking();
        if (wanted.Count > 0)
        {
            var parsed = wanted.Select(s => Enum.Parse<DeliveryStatus>(s, ignoreCase: true)).ToList();
            query = query.Where(d => parsed.Contains(d.Status));
        }

        if (classes.Count > 0)
        {
            var parsed = classes.Select(c => (FailureClass?)Enum.Parse<FailureClass>(c, ignoreCase: true)).ToList();
            query = query.Where(d => parsed.Contains(d.FailureClass));
        }

        // The value is written into the statement as a literal (EF.Constant, quoted by EF): a
        // parameter would leave PostgreSQL a generic plan that cannot use the prefix index.
        switch (recipientFilter)
        {
            case { Match: RecipientMatch.Address, Value: var address }:
                query = query.Where(d => EF.Property<string>(d, DeliveryConfiguration.RecipientKey) == EF.Constant(address));
                break;
            case { Match: RecipientMatch.Domain, Value: var domain }:
                query = query.Where(d => EF.Property<string>(d, DeliveryConfiguration.RecipientDomain) == EF.Constant(domain));
                break;
            case { Match: RecipientMatch.Prefix } prefix:
                var pattern = prefix.LikePattern();
                query = query.Where(d => EF.Functions.Like(EF.Property<string>(d, DeliveryConfiguration.RecipientKey), EF.Constant(pattern), @"\"));
                break;
        }

        if (!string.IsNullOrWhiteSpace(template))
        {
            query = query.Where(d => d.Template == template);
        }

        if (from is { } f)
        {
            query = query.Where(d => d.CreatedAt >= f);
        }

        if (to is { } t)
        {
            query = query.Where(d => d.CreatedAt < t);
        }

        if (after is { } cursor)
        {
            // Ids are time-ordered (UUIDv7): "older than the last one shown" is "smaller id".
            query = query.Where(d => d.Id.CompareTo(cursor) < 0);
        }

        var rows = await query.OrderByDescending(d => d.Id).Take(take + 1)
            .Select(d => new DeliverySummary(d.Id, d.Kind, d.Template, d.Locale, d.Recipient, d.Status.ToString(), d.Attempts, d.LastError,
                d.CreatedAt, d.UpdatedAt, d.SentAt, d.FinalAt, d.FailureClass.ToString()))
            .ToListAsync(ct);
        var items = rows.Take(take).Select(r => r with { Status = r.Status.ToLowerInvariant(), FailureClass = r.FailureClass is { Length: > 0 } c ? c.ToLowerInvariant() : null }).ToList();
        return TypedResults.Ok(new DeliveryPage(items, rows.Count > take ? items[^1].Id : null));
    }

    internal static async Task<Results<Ok<DeliveryView>, ProblemHttpResult>> GetAsync(Guid id, string? include, NotifierDb db, CancellationToken ct)
    {
        // Three plain queries rather than one join of two collections (which multiplies their rows).
        var d = await db.Deliveries.AsNoTracking().SingleOrDefaultAsync(x => x.Id == id, ct);
        if (d is null)
        {
            return NotFound(id);
        }

        var attempts = await db.DeliveryAttempts.AsNoTracking().Where(a => a.DeliveryId == id).OrderBy(a => a.Number).ThenBy(a => a.Id).ToListAsync(ct);
        var reports = await db.DeliveryReports.AsNoTracking().Where(r => r.DeliveryId == id).OrderBy(r => r.Id).ToListAsync(ct);

        // Stored bodies show secret links redacted already; redacting again on the way out also
        // covers rows stored before that (and any token-shaped query an admin's template printed).
        var withBody = string.Equals(include, "body", StringComparison.OrdinalIgnoreCase);
        return TypedResults.Ok(new DeliveryView(d.Id, d.Kind, d.Template, d.TemplateVersionId, d.Locale, d.Recipient, SecretRedaction.Redact(d.Subject), d.FromAddress,
            d.Status.Name(), d.Attempts, d.QueueId, d.LastError, d.SourceMessageId,
            d.RequestedAt, d.CreatedAt, d.UpdatedAt, d.SentAt, d.FinalAt,
            attempts.Select(a => new AttemptView(a.Number, a.StartedAt, a.DurationMs, a.Outcome.Name(), a.SmtpCode, a.Reply, a.FailureClass?.Name())).ToList(),
            reports.Select(r => new ReportView(r.ReceivedAt, r.Source, r.Action, r.Status, r.Diagnostic, r.RemoteMta, r.FailureClass?.Name())).ToList(),
            d.TraceParent, withBody ? SecretRedaction.Redact(d.HtmlBody) : null, withBody ? SecretRedaction.Redact(d.TextBody) : null)
        {
            FailureClass = d.FailureClass?.Name(),
            RejectedReports = (await db.RejectedReports.AsNoTracking().Where(r => r.DeliveryId == id).OrderBy(r => r.Id).Take(50).ToListAsync(ct))
                .Select(RejectedReportEndpoints.View).ToList(),
        });
    }

    internal static async Task<Results<Ok<DeliverySummary>, ProblemHttpResult>> RetryAsync(
        Guid id, NotifierDb db, DeliveryLedger ledger, DispatchSignal signal, ClaimsPrincipal admin, HttpRequest request, CancellationToken ct)
    {
        var result = await ledger.RetryAsync(id, (d, before) => AuditLog.Add(db, admin, d.UpdatedAt, "delivery.retried", $"delivery:{d.Id}",
            new { Status = before.Name(), d.LastError }, new { Status = d.Status.Name() }), ct);
        switch (result)
        {
            case { Refusal: RetryRefusal.NotFound }:
                return NotFound(id);
            case { Refusal: RetryRefusal.NotRetryable, Delivery: { } d }:
                return TypedResults.Problem($"Only failed, abandoned or bounced deliveries are sent again; this one is {d.Status.Name()}.",
                    statusCode: StatusCodes.Status409Conflict, title: "Not retryable");
            case { Refusal: RetryRefusal.NeedsNewLink }:
                return TypedResults.Problem(
                    "This email carried a single-use account link that is no longer kept (it is dropped once the email is handed over or has failed for good). " +
                    "The user asks for a new one: resend the verification email, or request the password reset again.",
                    statusCode: StatusCodes.Status409Conflict, title: "Needs a new link");
            case { Refusal: RetryRefusal.Suppressed, Delivery: { } d }:
                // The path as the caller reaches this service (behind nginx: /notifier/api/…).
                return TypedResults.Problem(
                    $"{d.Recipient} is suppressed after a hard bounce: lift the suppression first (DELETE {request.PathBase}/api/admin/suppressions/{Uri.EscapeDataString(d.Recipient)}).",
                    statusCode: StatusCodes.Status409Conflict, title: "Address suppressed");
        }

        var q = result.Delivery!;
        signal.Set();
        return TypedResults.Ok(new DeliverySummary(q.Id, q.Kind, q.Template, q.Locale, q.Recipient, q.Status.Name(), q.Attempts, q.LastError, q.CreatedAt, q.UpdatedAt, null, null, q.FailureClass?.Name()));
    }

    internal static async Task<Ok<List<SuppressionView>>> SuppressionsAsync(NotifierDb db, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var rows = await db.Suppressions.AsNoTracking().Where(s => s.LiftedAt == null && s.ExpiresAt > now).OrderByDescending(s => s.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(s => new SuppressionView(s.Address, s.Reason, s.DeliveryId, s.CreatedAt, s.ExpiresAt)).ToList());
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> LiftAsync(
        string address, NotifierDb db, ClaimsPrincipal admin, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var key = address.Trim().ToLowerInvariant();
        var row = await db.Suppressions.FirstOrDefaultAsync(s => s.Address == key && s.LiftedAt == null && s.ExpiresAt > now, ct);
        if (row is null)
        {
            return TypedResults.Problem($"{address} is not suppressed.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }

        row.LiftedAt = now;
        row.LiftedBy = AuditLog.ActorOf(admin);
        AuditLog.Add(db, admin, now, "suppression.lifted", $"suppression:{key}", new { row.Reason, row.ExpiresAt }, null);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem($"There is no delivery {id}.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
}
