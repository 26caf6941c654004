using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Admin;

/// <summary>Template versions: list, read, add, activate.</summary>
public static partial class TemplateEndpoints
{
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

    private static ProblemHttpResult VersionNotFound(string key, string locale, int version) =>
        TypedResults.Problem($"Template '{key}' has no version {version} in '{locale}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found");
}
