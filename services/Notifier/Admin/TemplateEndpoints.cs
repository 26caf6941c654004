using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Admin;

/// <summary>The admin API of email templates: versions, activation, variables, preview and test send.</summary>
public static partial class TemplateEndpoints
{
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

    private static async Task<EmailTemplate?> LockAsync(NotifierDb db, string key, CancellationToken ct) =>
        await db.Templates.FromSql($"SELECT * FROM templates WHERE key = {key} FOR UPDATE").SingleOrDefaultAsync(ct);

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

    private static ProblemHttpResult NotFound(string key) =>
        TypedResults.Problem($"There is no template '{key}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
}
