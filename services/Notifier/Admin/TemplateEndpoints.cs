using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Intake;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Admin;

/// <summary>The admin API of email templates: versions, activation, variables, preview and test send.</summary>
public static partial class TemplateEndpoints
{
    public const int MaxSubjectChars = 500;
    public const int MaxHtmlChars = 100_000;
    public const int MaxTextChars = 50_000;
    public const int MaxValueChars = 2_000;

    /// <summary>The audit action of a test send: the audit log is also what limits them.</summary>
    public const string TestSentAction = "template.test-sent";

    public sealed record TemplateParts(string? Subject, string? Html, string? Text);

    public sealed record CreateTemplateRequest(
        string? Key, string? Description, List<TemplateVariable>? Variables, Guid? SenderId, Dictionary<string, TemplateParts>? Locales);

    public sealed record UpdateTemplateRequest(string? Description, Guid? SenderId, List<TemplateVariable>? Variables);

    public sealed record NewVersionRequest(string? Locale, string? Subject, string? Html, string? Text, string? Note, bool Activate = false);

    public sealed record PreviewRequest(string? Locale, int? Version, TemplateParts? Draft, Dictionary<string, string>? Data);

    public sealed record TestSendRequest(string? To, string? Locale, int? Version, TemplateParts? Draft, Dictionary<string, string>? Data);

    public sealed record LocaleSummary(string Locale, int? ActiveVersion, int LatestVersion, DateTimeOffset? UpdatedAt);

    public sealed record TemplateSummary(string Key, bool BuiltIn, string Description, Guid? SenderId, List<LocaleSummary> Locales);

    public sealed record VersionSummary(long Id, string Locale, int Version, bool Active, string? Note, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? ActivatedAt);

    public sealed record VersionView(
        long Id, string Locale, int Version, bool Active, string Subject, string Html, string Text, string? Note,
        DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? ActivatedAt);

    public sealed record TemplateDetail(
        string Key, bool BuiltIn, string Description, Guid? SenderId, IReadOnlyList<TemplateVariable> Variables,
        List<LocaleSummary> Locales, List<VersionView> Active);

    public sealed record PreviewResponse(string Locale, int? Version, string Subject, string Html, string Text, MailFrom From);

    public sealed record TestSendResponse(Guid DeliveryId, string Status, string StatusUrl);

    public static RouteGroupBuilder MapTemplates(this RouteGroupBuilder admin)
    {
        var templates = admin.MapGroup("/templates").WithTags("Templates");
        templates.MapGet("/", ListAsync).WithSummary("List templates with their locales and active versions")
            .WithExample(response: new[] { Examples.Summary });
        templates.MapPost("/", CreateAsync).WithSummary("Add a custom template")
            .WithDescription("A custom key (lower case, digits and dashes) with its variables and a first version per locale, active at once.")
            .WithExample(Examples.Create, Examples.CustomDetail, 201);
        templates.MapGet("/{key}", GetAsync).WithSummary("A template: its variables and the active version of each locale")
            .WithExample(response: Examples.Detail);
        templates.MapPut("/{key}", UpdateAsync).WithSummary("Change a template's description, sender (null: the default sender) or, for custom templates, variables")
            .WithExample(new UpdateTemplateRequest("Sent three days before a trial ends.", Examples.SenderId, null), Examples.Detail);
        templates.MapDelete("/{key}", DeleteAsync).WithSummary("Delete a custom template and its versions (shipped templates cannot be deleted)")
            .WithExample(status: 204);
        templates.MapGet("/{key}/variables", VariablesAsync).WithSummary("The variables a template may print, with descriptions and sample values")
            .WithExample(response: Examples.Variables);
        templates.MapGet("/{key}/versions", VersionsAsync).WithSummary("Every saved version, newest first (filter with ?locale=)")
            .WithExample(response: new[] { Examples.VersionSummary(2, true), Examples.VersionSummary(1, false) });
        templates.MapPost("/{key}/versions", CreateVersionAsync).WithSummary("Save a new version of one locale")
            .WithDescription("Versions are immutable. The template is checked first: anything but printing the model's variables is refused with the line, column and reason. With `activate: true` it is used from the next email on.")
            .WithExample(new NewVersionRequest("en", Examples.Subject, Examples.Html, Examples.Text, "Friendlier greeting", true), Examples.Version, 201);
        templates.MapGet("/{key}/versions/{locale}/{version:int}", VersionAsync).WithSummary("One saved version, in full")
            .WithExample(response: Examples.Version);
        templates.MapPost("/{key}/versions/{locale}/{version:int}/activate", ActivateAsync).WithSummary("Make a version the one emails use (also how to roll back)")
            .WithExample(response: Examples.VersionSummary(1, true));
        templates.MapPost("/{key}/preview", PreviewAsync).WithSummary("Render a version or an unsaved draft with sample or given data; nothing is sent")
            .WithExample(new PreviewRequest("en", null, new TemplateParts(Examples.Subject, Examples.Html, Examples.Text), new() { ["username"] = "Taro" }), Examples.Preview);
        templates.MapPost("/{key}/test-send", TestSendAsync).WithSummary("Send a rendering to an address through the real pipeline, as a delivery of kind `test`")
            .WithExample(new TestSendRequest("me@example.com", "en", null, null, null), new TestSendResponse(Examples.DeliveryId, DeliveryStatus.Queued.Name(), $"/api/admin/deliveries/{Examples.DeliveryId}"), 202);
        return admin;
    }

    internal static async Task<Ok<List<TemplateSummary>>> ListAsync(NotifierDb db, TemplateStore store, CancellationToken ct)
    {
        await store.EnsureSeededAsync(db, ct);
        var templates = await db.Templates.AsNoTracking().OrderBy(t => !t.BuiltIn).ThenBy(t => t.Key).ToListAsync(ct);
        var locales = await LocaleSummariesAsync(db, null, ct);
        return TypedResults.Ok(templates.Select(t => Summary(t, locales.GetValueOrDefault(t.Key) ?? [])).ToList());
    }

    internal static async Task<Results<Ok<TemplateDetail>, ProblemHttpResult>> GetAsync(string key, NotifierDb db, TemplateStore store, CancellationToken ct)
    {
        await store.EnsureSeededAsync(db, ct);
        var template = await db.Templates.AsNoTracking().FirstOrDefaultAsync(t => t.Key == key, ct);
        if (template is null)
        {
            return NotFound(key);
        }

        return TypedResults.Ok(await DetailAsync(db, template, ct));
    }

    internal static async Task<Results<Created<TemplateDetail>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateTemplateRequest? request, NotifierDb db, TemplateStore store, ClaimsPrincipal admin, TimeProvider time, CancellationToken ct)
    {
        await store.EnsureSeededAsync(db, ct);
        var errors = new Errors();
        var key = request?.Key?.Trim() ?? "";
        if (!KeyPattern().IsMatch(key))
        {
            errors.Add("key", "key must be 2–64 characters: lower-case letters, digits and dashes, starting with a letter (e.g. trial-ending).");
        }
        else if (TemplateCatalog.Find(key) is not null || await db.Templates.AnyAsync(t => t.Key == key, ct))
        {
            return TypedResults.Problem($"A template '{key}' exists already; add a version to it instead.", statusCode: StatusCodes.Status409Conflict, title: "Template exists");
        }

        var description = request?.Description?.Trim() ?? "";
        if (description.Length is 0 or > 500)
        {
            errors.Add("description", "description is required (at most 500 characters): what the email is for.");
        }

        var declared = CheckVariables(request?.Variables, errors);
        if (request?.SenderId is { } senderId && !await db.Senders.AnyAsync(s => s.Id == senderId, ct))
        {
            errors.Add("sender_id", $"There is no sender {senderId}.");
        }

        if (request?.Locales is not { Count: > 0 })
        {
            errors.Add("locales", $"Give at least one locale ({string.Join(", ", TemplateCatalog.Locales)}) with its subject, html and text.");
        }

        var variables = TemplateStore.CustomVariables(TemplateStore.SerializeVariables(declared)).Select(v => v.Name).ToList();
        var versions = new List<TemplateVersion>();
        var now = time.GetUtcNow();
        foreach (var (locale, parts) in request?.Locales ?? [])
        {
            if (!TemplateCatalog.Locales.Contains(locale))
            {
                errors.Add($"locales.{locale}", $"Unknown locale '{locale}': use {string.Join(" or ", TemplateCatalog.Locales)}.");
                continue;
            }

            if (CheckParts(parts, errors, $"locales.{locale}.", variables) is not null)
            {
                versions.Add(NewVersion(key, locale, 1, parts!, "First version", true, now, AuditLog.ActorOf(admin)));
            }
        }

        if (errors.Any)
        {
            return errors.Problem();
        }

        var template = new EmailTemplate
        {
            Key = key,
            BuiltIn = false,
            Description = description,
            SenderId = request!.SenderId,
            VariablesJson = TemplateStore.SerializeVariables(declared),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Templates.Add(template);
        db.TemplateVersions.AddRange(versions);
        AuditLog.Add(db, admin, now, "template.created", $"template:{key}", null,
            new { template.Key, template.Description, template.SenderId, Variables = declared, Locales = versions.Select(v => v.Locale) });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return TypedResults.Problem($"A template '{key}' exists already; add a version to it instead.", statusCode: StatusCodes.Status409Conflict, title: "Template exists");
        }

        return TypedResults.Created($"templates/{key}", await DetailAsync(db, template, ct));
    }

    internal static async Task<Results<Ok<TemplateDetail>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        string key, UpdateTemplateRequest? request, NotifierDb db, TemplateStore store, ClaimsPrincipal admin, TimeProvider time, CancellationToken ct)
    {
        await store.EnsureSeededAsync(db, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var template = await LockAsync(db, key, ct);
        if (template is null)
        {
            return NotFound(key);
        }

        var before = new { template.Description, template.SenderId, Variables = TemplateStore.VariablesOf(template) };
        var errors = new Errors();
        var description = request?.Description?.Trim() ?? template.Description;
        if (description.Length is 0 or > 500)
        {
            errors.Add("description", "description must be 1–500 characters.");
        }

        if (request?.SenderId is { } senderId && !await db.Senders.AnyAsync(s => s.Id == senderId, ct))
        {
            errors.Add("sender_id", $"There is no sender {senderId}.");
        }

        if (request?.Variables is not null)
        {
            if (template.BuiltIn)
            {
                errors.Add("variables", $"'{key}' is shipped with the Notifier: its variables are its model's and cannot change.");
            }
            else
            {
                var declared = CheckVariables(request.Variables, errors);
                var names = TemplateStore.CustomVariables(TemplateStore.SerializeVariables(declared)).Select(v => v.Name).ToList();
                // The versions emails use right now must still make sense with the new variables.
                foreach (var active in await db.TemplateVersions.Where(v => v.TemplateKey == key && v.IsActive).ToListAsync(ct))
                {
                    try
                    {
                        TemplateStore.Parse(active.Subject, active.Html, active.Text, names);
                    }
                    catch (TemplateInvalidException ex)
                    {
                        errors.Add("variables", $"The active version {active.Version} of '{active.Locale}' would no longer be valid: " +
                            string.Join("; ", ex.Problems.SelectMany(p => p.Value.Select(v => $"{p.Key} {v}"))));
                    }
                }

                template.VariablesJson = TemplateStore.SerializeVariables(declared);
            }
        }

        if (errors.Any)
        {
            return errors.Problem();
        }

        template.Description = description;
        template.SenderId = request?.SenderId;
        template.UpdatedAt = time.GetUtcNow();
        AuditLog.Add(db, admin, template.UpdatedAt, "template.updated", $"template:{key}", before,
            new { template.Description, template.SenderId, Variables = TemplateStore.VariablesOf(template) });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.Ok(await DetailAsync(db, template, ct));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string key, NotifierDb db, TemplateStore store, ClaimsPrincipal admin, TimeProvider time, CancellationToken ct)
    {
        await store.EnsureSeededAsync(db, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var template = await LockAsync(db, key, ct);
        if (template is null)
        {
            return NotFound(key);
        }

        if (template.BuiltIn)
        {
            return TypedResults.Problem($"'{key}' is shipped with the Notifier and its events use it: it cannot be deleted. Activate another version to change what it sends.",
                statusCode: StatusCodes.Status409Conflict, title: "Shipped template");
        }

        var versions = await db.TemplateVersions.Where(v => v.TemplateKey == key).CountAsync(ct);
        AuditLog.Add(db, admin, time.GetUtcNow(), "template.deleted", $"template:{key}",
            new { template.Key, template.Description, template.SenderId, Variables = TemplateStore.VariablesOf(template), Versions = versions }, null);
        db.Templates.Remove(template);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<IReadOnlyList<TemplateVariable>>, ProblemHttpResult>> VariablesAsync(
        string key, NotifierDb db, TemplateStore store, CancellationToken ct)
    {
        await store.EnsureSeededAsync(db, ct);
        var template = await db.Templates.AsNoTracking().FirstOrDefaultAsync(t => t.Key == key, ct);
        return template is null ? NotFound(key) : TypedResults.Ok(TemplateStore.VariablesOf(template));
    }

    internal static async Task<Results<Ok<List<VersionSummary>>, ProblemHttpResult>> VersionsAsync(
        string key, string? locale, NotifierDb db, TemplateStore store, CancellationToken ct)
    {
        await store.EnsureSeededAsync(db, ct);
        if (!await db.Templates.AnyAsync(t => t.Key == key, ct))
        {
            return NotFound(key);
        }

        var query = db.TemplateVersions.AsNoTracking().Where(v => v.TemplateKey == key);
        if (!string.IsNullOrEmpty(locale))
        {
            query = query.Where(v => v.Locale == locale);
        }

        var versions = await query.OrderBy(v => v.Locale).ThenByDescending(v => v.Version).ToListAsync(ct);
        return TypedResults.Ok(versions.Select(SummaryOf).ToList());
    }

    internal static async Task<Results<Ok<VersionView>, ProblemHttpResult>> VersionAsync(
        string key, string locale, int version, NotifierDb db, TemplateStore store, CancellationToken ct)
    {
        await store.EnsureSeededAsync(db, ct);
        var found = await db.TemplateVersions.AsNoTracking().FirstOrDefaultAsync(v => v.TemplateKey == key && v.Locale == locale && v.Version == version, ct);
        return found is null ? VersionNotFound(key, locale, version) : TypedResults.Ok(ViewOf(found));
    }

    internal static async Task<Results<Created<VersionView>, ValidationProblem, ProblemHttpResult>> CreateVersionAsync(
        string key, NewVersionRequest? request, NotifierDb db, TemplateStore store, ClaimsPrincipal admin, TimeProvider time, CancellationToken ct)
    {
        await store.EnsureSeededAsync(db, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // The template row is locked while the next number is chosen: two saves get 2 and 3, not 2 twice.
        var template = await LockAsync(db, key, ct);
        if (template is null)
        {
            return NotFound(key);
        }

        var errors = new Errors();
        var locale = request?.Locale ?? "";
        if (!TemplateCatalog.Locales.Contains(locale))
        {
            errors.Add("locale", $"locale must be {string.Join(" or ", TemplateCatalog.Locales)}.");
        }

        var note = request?.Note?.Trim();
        if (note is { Length: > 500 })
        {
            errors.Add("note", "note must be at most 500 characters.");
        }

        var variables = TemplateStore.VariablesOf(template).Select(v => v.Name).ToList();
        var parts = request is null ? null : new TemplateParts(request.Subject, request.Html, request.Text);
        CheckParts(parts, errors, "", variables);
        if (errors.Any)
        {
            return errors.Problem();
        }

        var now = time.GetUtcNow();
        var latest = await db.TemplateVersions.Where(v => v.TemplateKey == key && v.Locale == locale).MaxAsync(v => (int?)v.Version, ct) ?? 0;
        var version = NewVersion(key, locale, latest + 1, parts!, string.IsNullOrEmpty(note) ? null : note, false, now, AuditLog.ActorOf(admin));
        db.TemplateVersions.Add(version);
        AuditLog.Add(db, admin, now, "template.version.created", $"template:{key}/{locale}", null, SummaryOf(version));
        await db.SaveChangesAsync(ct);
        if (request!.Activate)
        {
            await ActivateLockedAsync(db, template, version, admin, now, ct);
        }

        await tx.CommitAsync(ct);
        return TypedResults.Created($"versions/{locale}/{version.Version}", ViewOf(version));
    }

    internal static async Task<Results<Ok<VersionSummary>, ValidationProblem, ProblemHttpResult>> ActivateAsync(
        string key, string locale, int version, NotifierDb db, TemplateStore store, ClaimsPrincipal admin, TimeProvider time, CancellationToken ct)
    {
        await store.EnsureSeededAsync(db, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var template = await LockAsync(db, key, ct);
        if (template is null)
        {
            return NotFound(key);
        }

        var target = await db.TemplateVersions.FirstOrDefaultAsync(v => v.TemplateKey == key && v.Locale == locale && v.Version == version, ct);
        if (target is null)
        {
            return VersionNotFound(key, locale, version);
        }

        try
        {
            // A custom template's variables may have changed since this version was saved.
            TemplateStore.Parse(target.Subject, target.Html, target.Text, TemplateStore.VariablesOf(template).Select(v => v.Name).ToList());
        }
        catch (TemplateInvalidException ex)
        {
            var errors = new Errors();
            errors.AddTemplateProblems(ex, "", $"version {version} no longer fits the template's variables: ");
            return errors.Problem();
        }

        if (!target.IsActive)
        {
            await ActivateLockedAsync(db, template, target, admin, time.GetUtcNow(), ct);
        }

        await tx.CommitAsync(ct);
        return TypedResults.Ok(SummaryOf(target));
    }

    internal static async Task<Results<Ok<PreviewResponse>, ValidationProblem, ProblemHttpResult>> PreviewAsync(
        string key, PreviewRequest? request, NotifierDb db, TemplateStore store, CancellationToken ct)
    {
        var (rendering, failure) = await RenderRequestAsync(key, request?.Locale, request?.Version, request?.Draft, request?.Data, db, store, ct);
        if (failure is not null)
        {
            return Failed<Ok<PreviewResponse>>(failure);
        }

        var (result, locale, version) = rendering!.Value;
        return TypedResults.Ok(new PreviewResponse(locale, version, result.Email.Subject, result.Email.Html, result.Email.Text, result.From));
    }

    internal static async Task<Results<Accepted<TestSendResponse>, ValidationProblem, ProblemHttpResult>> TestSendAsync(
        string key, TestSendRequest? request, HttpContext http, NotifierDb db, TemplateStore store, DeliveryQueue queue, ClaimsPrincipal admin,
        IOptions<TestSendOptions> limits, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        var to = request?.To?.Trim() ?? "";
        if (!IsBareAddress(to))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["to"] = ["to must be one email address, like someone@example.com."] });
        }

        // The admin's own address, when the token names it.
        var own = admin.FindFirst("email")?.Value;
        if (!limits.Value.Allows(to, own))
        {
            var domains = limits.Value.TestSendAllowedDomains;
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["to"] = [$"Test sends go only to {(own is null ? "" : $"your own address ({own}) or ")}" +
                    (domains.Count == 0 ? "no other address (Notifier:TestSendAllowedDomains is empty)." : $"addresses in {string.Join(", ", domains)} (Notifier:TestSendAllowedDomains).")],
            });
        }

        var actor = AuditLog.ActorOf(admin);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // One admin's test sends are counted and recorded one at a time (a lock per admin, for this
        // transaction), so a burst of parallel requests cannot all pass the same count.
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({"test-send:" + actor}, 0))", ct);
        var now = time.GetUtcNow();
        var windowStart = now - TimeSpan.FromHours(1);
        var recent = await db.AuditEntries.AsNoTracking()
            .Where(a => a.Actor == actor && a.Action == TestSentAction && a.At > windowStart)
            .OrderBy(a => a.At).Select(a => a.At).Take(limits.Value.TestSendsPerHour).ToListAsync(ct);
        if (recent.Count >= limits.Value.TestSendsPerHour)
        {
            var retryAfter = Math.Max(1, (int)Math.Ceiling((recent[0] + TimeSpan.FromHours(1) - now).TotalSeconds));
            http.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(
                $"You have made {limits.Value.TestSendsPerHour} test sends in the last hour (Notifier:TestSendsPerHour); try again in {retryAfter} s.",
                statusCode: StatusCodes.Status429TooManyRequests, title: "Too many test sends");
        }

        var (rendering, failure) = await RenderRequestAsync(key, request?.Locale, request?.Version, request?.Draft, request?.Data, db, store, ct);
        if (failure is not null)
        {
            return Failed<Accepted<TestSendResponse>>(failure);
        }

        var (result, locale, version) = rendering!.Value;
        AuditLog.Add(db, admin, now, TestSentAction, $"template:{key}/{locale}", null, new { To = to, Version = version, Draft = request?.Draft is not null });
        var id = await queue.QueueTestAsync(key, locale, to, result, ct);
        await tx.CommitAsync(ct);
        queue.Wake();
        LogTestSend(loggers.CreateLogger("SalesMind.Notifier.Templates"), key, locale, id, AuditLog.ActorOf(admin));
        // Where the delivery can be followed, as the caller reaches this service (behind nginx: /notifier/api/…).
        var statusUrl = $"{http.Request.PathBase}/api/admin/deliveries/{id}";
        return TypedResults.Accepted(statusUrl, new TestSendResponse(id, DeliveryStatus.Queued.Name(), statusUrl));
    }

    /// <summary>A failure of <see cref="RenderRequestAsync"/> as the answer of an endpoint that can also succeed with <typeparamref name="TOk"/>.</summary>
    private static Results<TOk, ValidationProblem, ProblemHttpResult> Failed<TOk>(IResult failure)
        where TOk : IResult => failure switch
        {
            ValidationProblem v => v,
            ProblemHttpResult p => p,
            _ => throw new InvalidOperationException($"Unexpected failure {failure.GetType().Name}."),
        };

    /// <summary>Renders what a preview or test send asks for: a draft, a saved version, or the active one.</summary>
    private static async Task<((RenderResult Result, string Locale, int? Version)? Rendering, IResult? Failure)> RenderRequestAsync(
        string key, string? requestedLocale, int? requestedVersion, TemplateParts? draft, Dictionary<string, string>? data,
        NotifierDb db, TemplateStore store, CancellationToken ct)
    {
        await store.EnsureSeededAsync(db, ct);
        var template = await db.Templates.AsNoTracking().FirstOrDefaultAsync(t => t.Key == key, ct);
        if (template is null)
        {
            return (null, NotFound(key));
        }

        var errors = new Errors();
        var locale = requestedLocale ?? TemplateCatalog.Locales[0];
        if (!TemplateCatalog.Locales.Contains(locale))
        {
            errors.Add("locale", $"locale must be {string.Join(" or ", TemplateCatalog.Locales)}.");
        }

        if (draft is not null && requestedVersion is not null)
        {
            errors.Add("version", "Give either a draft or a version, not both.");
        }

        var variables = TemplateStore.VariablesOf(template);
        var values = ValuesFrom(variables, data, errors);
        ParsedParts? parts = null;
        int? version = null;
        long? versionId = null;
        if (draft is not null)
        {
            parts = CheckParts(draft, errors, "draft.", variables.Select(v => v.Name).ToList());
        }
        else if (!errors.Any)
        {
            var saved = requestedVersion is { } n
                ? await db.TemplateVersions.AsNoTracking().FirstOrDefaultAsync(v => v.TemplateKey == key && v.Locale == locale && v.Version == n, ct)
                : await store.ActiveVersionAsync(db, key, locale, ct);
            if (saved is null)
            {
                return (null, requestedVersion is { } missing ? VersionNotFound(key, locale, missing)
                    : TypedResults.Problem($"'{key}' has no version in '{locale}' yet.", statusCode: StatusCodes.Status404NotFound, title: "Not found"));
            }

            locale = saved.Locale;
            version = saved.Version;
            versionId = saved.Id;
            parts = store.ParsedOf(saved, variables.Select(v => v.Name).ToList());
        }

        if (errors.Any)
        {
            return (null, errors.Problem());
        }

        RenderedEmail email;
        try
        {
            email = TemplateStore.Render(parts!, values);
        }
        catch (TemplateLimitException ex)
        {
            return (null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["draft"] = [$"The template cannot be rendered: {ex.Message}."] }));
        }

        var from = await store.SenderForAsync(db, template, ct);
        return ((new RenderResult(email, versionId, from), locale, version), null);
    }

    /// <summary>The sample values, overridden by the given ones (keys as <c>Username</c> or <c>username</c>).</summary>
    private static Dictionary<string, string> ValuesFrom(IReadOnlyList<TemplateVariable> variables, Dictionary<string, string>? data, Errors errors)
    {
        var values = variables.ToDictionary(v => v.Name, v => v.Sample, StringComparer.Ordinal);
        foreach (var (name, value) in data ?? [])
        {
            var variable = variables.FirstOrDefault(v => Normalize(v.Name) == Normalize(name));
            if (variable is null)
            {
                errors.Add($"data.{name}", $"'{name}' is not a variable of this template; it has {string.Join(", ", variables.Select(v => v.Name))}.");
            }
            else if (value is null || value.Length > MaxValueChars)
            {
                errors.Add($"data.{name}", $"{name} must be a string of at most {MaxValueChars} characters.");
            }
            else
            {
                values[variable.Name] = value;
            }
        }

        return values;

        static string Normalize(string s) => s.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
    }

    /// <summary>Checks a subject, HTML and text: present, within size, and written in the template language.</summary>
    private static ParsedParts? CheckParts(TemplateParts? parts, Errors errors, string prefix, IReadOnlyCollection<string> variables)
    {
        var before = errors.Count;
        void Require(string name, string? value, int max)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                errors.Add(prefix + name, $"{name} is required.");
            }
            else if (value.Length > max)
            {
                errors.Add(prefix + name, $"{name} is {value.Length:N0} characters; at most {max:N0} are allowed.");
            }
        }

        Require("subject", parts?.Subject, MaxSubjectChars);
        Require("html", parts?.Html, MaxHtmlChars);
        Require("text", parts?.Text, MaxTextChars);
        if (errors.Count > before)
        {
            return null;
        }

        try
        {
            return TemplateStore.Parse(parts!.Subject!, parts.Html!, parts.Text!, variables);
        }
        catch (TemplateInvalidException ex)
        {
            errors.AddTemplateProblems(ex, prefix, "");
            return null;
        }
    }

    private static List<TemplateVariable> CheckVariables(List<TemplateVariable>? variables, Errors errors)
    {
        var declared = new List<TemplateVariable>();
        foreach (var (v, i) in (variables ?? []).Select((v, i) => (v, i)))
        {
            if (v?.Name is null || !VariablePattern().IsMatch(v.Name))
            {
                errors.Add($"variables[{i}].name", "A variable's name is a word starting with a capital letter, e.g. TrialEndsAt.");
            }
            else if (declared.Any(d => d.Name == v.Name))
            {
                errors.Add($"variables[{i}].name", $"'{v.Name}' is declared twice.");
            }
            else
            {
                var description = (v.Description ?? "").Trim();
                var sample = v.Sample ?? "";
                if (description.Length > 500 || sample.Length > MaxValueChars)
                {
                    errors.Add($"variables[{i}]", $"'{v.Name}': description at most 500 characters, sample at most {MaxValueChars}.");
                    continue;
                }

                declared.Add(new TemplateVariable(v.Name, description, sample));
            }
        }

        if (declared.Count > 50)
        {
            errors.Add("variables", "At most 50 variables.");
        }

        return declared;
    }

    private static async Task ActivateLockedAsync(NotifierDb db, EmailTemplate template, TemplateVersion version, ClaimsPrincipal admin, DateTimeOffset now, CancellationToken ct)
    {
        var previous = await db.TemplateVersions.AsNoTracking()
            .Where(v => v.TemplateKey == template.Key && v.Locale == version.Locale && v.IsActive)
            .Select(v => (int?)v.Version).FirstOrDefaultAsync(ct);
        // Two statements, in this order: the unique index allows one active version at a time.
        await db.TemplateVersions.Where(v => v.TemplateKey == template.Key && v.Locale == version.Locale && v.IsActive)
            .ExecuteUpdateAsync(set => set.SetProperty(v => v.IsActive, false), ct);
        await db.TemplateVersions.Where(v => v.Id == version.Id)
            .ExecuteUpdateAsync(set => set.SetProperty(v => v.IsActive, true).SetProperty(v => v.ActivatedAt, now), ct);
        version.IsActive = true;
        version.ActivatedAt = now;
        AuditLog.Add(db, admin, now, "template.version.activated", $"template:{template.Key}/{version.Locale}",
            new { ActiveVersion = previous }, new { ActiveVersion = version.Version });
        await db.SaveChangesAsync(ct);
    }

    private static async Task<EmailTemplate?> LockAsync(NotifierDb db, string key, CancellationToken ct) =>
        await db.Templates.FromSql($"SELECT * FROM templates WHERE key = {key} FOR UPDATE").FirstOrDefaultAsync(ct);

    private static async Task<Dictionary<string, List<LocaleSummary>>> LocaleSummariesAsync(NotifierDb db, string? key, CancellationToken ct)
    {
        var query = db.TemplateVersions.AsNoTracking();
        if (key is not null)
        {
            query = query.Where(v => v.TemplateKey == key);
        }

        var rows = await query
            .GroupBy(v => new { v.TemplateKey, v.Locale })
            .Select(g => new
            {
                g.Key.TemplateKey,
                g.Key.Locale,
                Active = g.Where(v => v.IsActive).Select(v => (int?)v.Version).FirstOrDefault(),
                Latest = g.Max(v => v.Version),
                UpdatedAt = g.Max(v => v.CreatedAt),
            })
            .ToListAsync(ct);
        return rows.GroupBy(r => r.TemplateKey).ToDictionary(
            g => g.Key,
            g => g.OrderBy(r => IndexOfLocale(r.Locale)).Select(r => new LocaleSummary(r.Locale, r.Active, r.Latest, r.UpdatedAt)).ToList());
    }

    private static int IndexOfLocale(string locale) => TemplateCatalog.Locales.ToList().IndexOf(locale) is var i and >= 0 ? i : int.MaxValue;

    private static async Task<TemplateDetail> DetailAsync(NotifierDb db, EmailTemplate template, CancellationToken ct)
    {
        var locales = (await LocaleSummariesAsync(db, template.Key, ct)).GetValueOrDefault(template.Key) ?? [];
        var active = await db.TemplateVersions.AsNoTracking().Where(v => v.TemplateKey == template.Key && v.IsActive).ToListAsync(ct);
        return new TemplateDetail(template.Key, template.BuiltIn, template.Description, template.SenderId, TemplateStore.VariablesOf(template),
            locales, active.OrderBy(v => IndexOfLocale(v.Locale)).Select(ViewOf).ToList());
    }

    private static TemplateSummary Summary(EmailTemplate t, List<LocaleSummary> locales) => new(t.Key, t.BuiltIn, t.Description, t.SenderId, locales);

    private static TemplateVersion NewVersion(string key, string locale, int number, TemplateParts parts, string? note, bool active, DateTimeOffset now, string actor) => new()
    {
        TemplateKey = key,
        Locale = locale,
        Version = number,
        Subject = parts.Subject!.Trim(),
        Html = parts.Html!,
        Text = parts.Text!,
        Note = note,
        IsActive = active,
        CreatedAt = now,
        CreatedBy = actor,
        ActivatedAt = active ? now : null,
    };

    private static VersionSummary SummaryOf(TemplateVersion v) => new(v.Id, v.Locale, v.Version, v.IsActive, v.Note, v.CreatedAt, v.CreatedBy, v.ActivatedAt);

    private static VersionView ViewOf(TemplateVersion v) =>
        new(v.Id, v.Locale, v.Version, v.IsActive, v.Subject, v.Html, v.Text, v.Note, v.CreatedAt, v.CreatedBy, v.ActivatedAt);

    /// <summary>An address alone, as SMTP takes it: "a@b.example", not "Name &lt;a@b.example&gt;".</summary>
    public static bool IsBareAddress(string value) =>
        value.Length is > 2 and <= 254
        && MailboxAddress.TryParse(value, out var parsed)
        && string.Equals(parsed.Address, value, StringComparison.OrdinalIgnoreCase)
        && value.IndexOf('@') is > 0 and var at && value.IndexOf('.', at) > at + 1 && !value.EndsWith('.');

    private static ProblemHttpResult NotFound(string key) =>
        TypedResults.Problem($"There is no template '{key}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found");

    private static ProblemHttpResult VersionNotFound(string key, string locale, int version) =>
        TypedResults.Problem($"Template '{key}' has no version {version} in '{locale}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found");

    [GeneratedRegex("^[a-z][a-z0-9-]{1,63}$")]
    private static partial Regex KeyPattern();

    [GeneratedRegex("^[A-Z][A-Za-z0-9]{0,49}$")]
    private static partial Regex VariablePattern();

    [LoggerMessage(Level = LogLevel.Information, Message = "Test send of {Template}/{Locale} queued as delivery {DeliveryId} by {Actor}")]
    private static partial void LogTestSend(ILogger logger, string template, string locale, Guid deliveryId, string actor);

    /// <summary>The examples the API reference shows.</summary>
    private static class Examples
    {
        public const string Subject = "Welcome to @Model.SiteName";
        public const string Html = "<p>Hello @Model.Username,</p>\n<p><a href=\"@Model.LoginUrl\">Log in</a></p>";
        public const string Text = "Hello @Model.Username,\nLog in: @Model.LoginUrl";
        public static readonly Guid SenderId = Guid.Parse("0193f4a2-7c1e-7d40-9a51-3c2b1f0e9d88");
        public static readonly Guid DeliveryId = Guid.Parse("0193f4a2-9b3d-7e10-8c42-5d6e7f8a9b0c");
        private static readonly DateTimeOffset At = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

        public static readonly TemplateSummary Summary = new("welcome", true, "Once the address is confirmed: welcome, and where to log in.", null,
            [new LocaleSummary("ja", 1, 1, At), new LocaleSummary("en", 2, 2, At)]);

        public static readonly IReadOnlyList<TemplateVariable> Variables = TemplateCatalog.Find(TemplateKeys.Welcome)!.Variables;

        public static readonly VersionView Version = new(42, "en", 2, true, Subject, Html, Text, "Friendlier greeting", At, "admin", At);

        public static readonly TemplateDetail Detail = new("welcome", true, Summary.Description, null, Variables, Summary.Locales, [Version]);

        public static readonly CreateTemplateRequest Create = new("trial-ending", "Sent three days before a trial ends.",
            [new TemplateVariable("Username", "The user's name.", "hanako"), new TemplateVariable("TrialEndsAt", "When the trial ends.", "1 May")],
            null, new() { ["en"] = new TemplateParts("Your trial ends @Model.TrialEndsAt", "<p>@Model.Username, your trial ends @Model.TrialEndsAt.</p>", "@Model.Username, your trial ends @Model.TrialEndsAt.") });

        public static readonly TemplateDetail CustomDetail = new("trial-ending", false, Create.Description!, null,
            [.. Create.Variables!, new TemplateVariable("SiteName", "The product's name.", "SalesMind")], [new LocaleSummary("en", 1, 1, At)],
            [new VersionView(43, "en", 1, true, Create.Locales!["en"].Subject!, Create.Locales["en"].Html!, Create.Locales["en"].Text!, "First version", At, "admin", At)]);

        public static readonly PreviewResponse Preview = new("en", null, "Welcome to SalesMind", "<p>Hello Taro,</p>\n<p><a href=\"https://salesmind.example/login.html\">Log in</a></p>",
            "Hello Taro,\nLog in: https://salesmind.example/login.html\n", new MailFrom("no-reply@salesmind.example", "SalesMind", null));

        public static VersionSummary VersionSummary(int version, bool active) => new(40 + version, "en", version, active, version == 1 ? "Shipped with the Notifier" : "Friendlier greeting", At, version == 1 ? "system" : "admin", active ? At : null);
    }

    /// <summary>Field errors collected across a request, answered at once as one problem.</summary>
    private sealed class Errors
    {
        private readonly Dictionary<string, List<string>> _messages = [];
        private readonly List<object> _problems = [];

        public bool Any => _messages.Count > 0;

        public int Count => _messages.Sum(m => m.Value.Count);

        public void Add(string field, string message, object? located = null)
        {
            (_messages.TryGetValue(field, out var list) ? list : _messages[field] = []).Add(message);
            if (located is not null)
            {
                _problems.Add(located);
            }
        }

        /// <summary>Each problem under its part's field, and located (part, line, column) for tools.</summary>
        public void AddTemplateProblems(TemplateInvalidException ex, string prefix, string lead)
        {
            foreach (var (part, problems) in ex.Problems)
            {
                foreach (var problem in problems)
                {
                    Add(prefix + part, lead + problem, new { part = prefix + part, line = problem.Line, column = problem.Column, message = problem.Message });
                }
            }
        }

        public ValidationProblem Problem() => TypedResults.ValidationProblem(
            _messages.ToDictionary(m => m.Key, m => m.Value.ToArray()),
            title: "The request has problems",
            extensions: _problems.Count > 0 ? new Dictionary<string, object?> { ["template_problems"] = _problems } : null);
    }
}
