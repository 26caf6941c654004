using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesMind.Notifier.Data;

namespace SalesMind.Notifier.Rendering;

/// <summary>Who an email comes from, as chosen when it was rendered.</summary>
public sealed record MailFrom(string Address, string DisplayName, string? ReplyTo);

/// <summary>A rendered email and where it came from: the template version and the sender.</summary>
/// <param name="Email">What is stored and shown: secret links redacted.</param>
/// <param name="Live">The rendering with working links, when it differs from <paramref name="Email"/>: only ever stored sealed.</param>
public sealed record RenderResult(RenderedEmail Email, long? VersionId, MailFrom From, RenderedEmail? Live = null);

/// <summary>The three parts of a version, each checked and parsed.</summary>
public sealed record ParsedParts(ParsedTemplate Subject, ParsedTemplate Html, ParsedTemplate Text);

/// <summary>A template part's problems, keyed by part (<c>subject</c>, <c>html</c>, <c>text</c>).</summary>
public sealed class TemplateInvalidException(IReadOnlyDictionary<string, List<TemplateProblem>> problems)
    : Exception("The template is not valid: " + string.Join("; ", problems.SelectMany(p => p.Value.Select(v => $"{p.Key} {v}"))))
{
    public IReadOnlyDictionary<string, List<TemplateProblem>> Problems { get; } = problems;
}

/// <summary>
/// Reads templates and senders from the database and renders the active version. Every render
/// reads the active version (one indexed row), so a newly activated version is used by every
/// Notifier instance from the next email on; parsed versions are cached by id, which is safe
/// because a version never changes.
/// </summary>
public sealed class TemplateStore(IOptions<MailOptions> mail, TimeProvider time, IServiceScopeFactory scopes)
{
    public const string SystemActor = "system";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ConcurrentDictionary<long, ParsedParts> _parsed = new();
    private volatile bool _seeded;

    /// <summary>
    /// Makes sure every shipped template exists with its first version, and that there is a
    /// default sender (from <c>Mail:FromAddress</c>). Idempotent and safe with several instances
    /// at once; run by the <c>migrate</c> command and, lazily, before the first read.
    /// </summary>
    public async Task EnsureSeededAsync(NotifierDb db, CancellationToken ct)
    {
        if (_seeded)
        {
            return;
        }

        if (db.Database.CurrentTransaction is not null)
        {
            // Seeded on a connection of its own: in the caller's transaction a rollback (a
            // consumer's failed message) would undo the rows after they were marked as seeded.
            await using var scope = scopes.CreateAsyncScope();
            await EnsureSeededAsync(scope.ServiceProvider.GetRequiredService<NotifierDb>(), ct);
            return;
        }

        var now = time.GetUtcNow();
        var from = mail.Value;
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO senders (id, address, display_name, reply_to, is_default, created_at, updated_at)
            SELECT {Guid.CreateVersion7(now)}, {from.FromAddress}, {from.FromName}, NULL, true, {now}, {now}
            WHERE NOT EXISTS (SELECT 1 FROM senders)
            ON CONFLICT DO NOTHING
            """, ct);

        foreach (var template in TemplateCatalog.BuiltIn)
        {
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO templates (key, built_in, description, sender_id, variables_json, created_at, updated_at)
                VALUES ({template.Key}, true, {template.Description}, NULL, NULL, {now}, {now})
                ON CONFLICT (key) DO NOTHING
                """, ct);
            foreach (var locale in TemplateCatalog.Locales)
            {
                var subject = TemplateCatalog.ShippedSource(template, locale, "subject").Trim();
                var html = TemplateCatalog.ShippedSource(template, locale, "html");
                var text = TemplateCatalog.ShippedSource(template, locale, "text");
                await db.Database.ExecuteSqlAsync($"""
                    INSERT INTO template_versions (template_key, locale, version, subject, html, text, note, is_active, created_at, created_by, activated_at)
                    SELECT {template.Key}, {locale}, 1, {subject}, {html}, {text}, 'Shipped with the Notifier', true, {now}, {SystemActor}, {now}
                    WHERE NOT EXISTS (SELECT 1 FROM template_versions WHERE template_key = {template.Key} AND locale = {locale})
                    ON CONFLICT DO NOTHING
                    """, ct);
                await UpdateShippedAsync(db, template.Key, locale, subject, html, text, now, ct);
            }

        }

        _seeded = true;
    }

    /// <summary>
    /// A shipped template whose text changed in this release (the verification emails gained
    /// their code) reaches databases seeded by an earlier one: while the active version is still a
    /// shipped one (no admin activated their own), the new text becomes the next version and is
    /// activated. A text some shipped version already has is never added again, so an older
    /// Notifier still running beside a newer one does not switch the template back.
    /// </summary>
    private static Task UpdateShippedAsync(
        NotifierDb db, string key, string locale, string subject, string html, string text, DateTimeOffset now, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"""
            WITH current AS (
                SELECT id FROM template_versions
                 WHERE template_key = {key} AND locale = {locale} AND is_active AND created_by = {SystemActor}
                   AND NOT EXISTS (SELECT 1 FROM template_versions
                                    WHERE template_key = {key} AND locale = {locale} AND created_by = {SystemActor}
                                      AND subject = {subject} AND html = {html} AND text = {text})
                 FOR UPDATE
            ), retired AS (
                UPDATE template_versions v SET is_active = false FROM current WHERE v.id = current.id RETURNING v.id
            )
            INSERT INTO template_versions (template_key, locale, version, subject, html, text, note, is_active, created_at, created_by, activated_at)
            SELECT {key}, {locale}, (SELECT max(version) + 1 FROM template_versions WHERE template_key = {key} AND locale = {locale}),
                   {subject}, {html}, {text}, 'Updated with the Notifier', true, {now}, {SystemActor}, {now}
              FROM retired
            """, ct);

    /// <summary>The variables a template may use: its model's for a built-in one, the declared ones for a custom one.</summary>
    public static IReadOnlyList<TemplateVariable> VariablesOf(EmailTemplate template) =>
        TemplateCatalog.Find(template.Key) is { } builtIn
            ? builtIn.Variables
            : CustomVariables(template.VariablesJson);

    public static IReadOnlyList<TemplateVariable> CustomVariables(string? json)
    {
        var declared = json is null ? [] : JsonSerializer.Deserialize<List<TemplateVariable>>(json, Json) ?? [];
        // Every template may print the product's name.
        return declared.Any(v => v.Name == "SiteName")
            ? declared
            : [.. declared, new TemplateVariable("SiteName", "The product's name.", "SalesMind")];
    }

    public static string SerializeVariables(IEnumerable<TemplateVariable> variables) => JsonSerializer.Serialize(variables, Json);

    /// <summary>Checks and parses the three parts; throws <see cref="TemplateInvalidException"/> listing every problem.</summary>
    public static ParsedParts Parse(string subject, string html, string text, IReadOnlyCollection<string> variables)
    {
        var problems = new Dictionary<string, List<TemplateProblem>>();
        ParsedTemplate? Check(string part, string source)
        {
            var (parsed, found) = TemplateSyntax.Parse(source, variables);
            if (parsed is not null)
            {
                found.AddRange(SecretLinkPlacement.Check(part, parsed));
            }

            if (found.Count > 0)
            {
                problems[part] = found;
            }

            return parsed;
        }

        var s = Check("subject", subject);
        var h = Check("html", html);
        var t = Check("text", text);
        return problems.Count > 0 ? throw new TemplateInvalidException(problems) : new ParsedParts(s!, h!, t!);
    }

    /// <summary>Renders parsed parts with <paramref name="values"/>: HTML encoded in the HTML part, a one-line subject.</summary>
    public static RenderedEmail Render(ParsedParts parts, IReadOnlyDictionary<string, string> values)
    {
        var subject = TemplateRendering.Render(parts.Subject, values, html: false);
        // A subject is one line: whatever the template or the values say, no header injection.
        subject = string.Join(' ', subject.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return new RenderedEmail(subject, TemplateRendering.Render(parts.Html, values, html: true),
            TemplateRendering.Render(parts.Text, values, html: false).Trim() + "\n");
    }

    /// <summary>The active version of <paramref name="key"/> in <paramref name="locale"/> (or the first locale that has one).</summary>
    public async Task<TemplateVersion?> ActiveVersionAsync(NotifierDb db, string key, string locale, CancellationToken ct)
    {
        await EnsureSeededAsync(db, ct);
        var active = await db.TemplateVersions.AsNoTracking()
            .Where(v => v.TemplateKey == key && v.IsActive)
            .ToListAsync(ct);
        return active.FirstOrDefault(v => v.Locale == locale)
            ?? active.FirstOrDefault(v => v.Locale == TemplateCatalog.Locales[0])
            ?? active.OrderBy(v => v.Locale).FirstOrDefault();
    }

    /// <summary>Parses a saved version (cached: versions never change).</summary>
    public ParsedParts ParsedOf(TemplateVersion version, IReadOnlyCollection<string> variables)
    {
        if (_parsed.TryGetValue(version.Id, out var parsed))
        {
            return parsed;
        }

        parsed = Parse(version.Subject, version.Html, version.Text, variables);
        if (_parsed.Count > 10_000)
        {
            _parsed.Clear();
        }

        _parsed[version.Id] = parsed;
        return parsed;
    }

    /// <summary>The sender of <paramref name="template"/>'s emails: its own choice, else the default.</summary>
    public async Task<MailFrom> SenderForAsync(NotifierDb db, EmailTemplate? template, CancellationToken ct)
    {
        await EnsureSeededAsync(db, ct);
        var senders = await db.Senders.AsNoTracking()
            .Where(s => s.IsDefault || (template != null && s.Id == template.SenderId))
            .ToListAsync(ct);
        var chosen = senders.FirstOrDefault(s => template?.SenderId == s.Id) ?? senders.FirstOrDefault(s => s.IsDefault);
        return chosen is null
            ? new MailFrom(mail.Value.FromAddress, mail.Value.FromName, null)
            : new MailFrom(chosen.Address, chosen.DisplayName, chosen.ReplyTo);
    }

    /// <summary>
    /// Renders the active version of <paramref name="key"/> for a user, as consumers do. With
    /// <paramref name="shown"/> (the values with secret links redacted) it renders twice: the
    /// result's <see cref="RenderResult.Email"/> from <paramref name="shown"/>, its
    /// <see cref="RenderResult.Live"/> from <paramref name="values"/>.
    /// </summary>
    public async Task<RenderResult> RenderActiveAsync(
        NotifierDb db, string key, string locale, IReadOnlyDictionary<string, string> values, CancellationToken ct,
        IReadOnlyDictionary<string, string>? shown = null)
    {
        // The first email after a fresh migration may come before anything else has seeded.
        await EnsureSeededAsync(db, ct);
        var template = await db.Templates.AsNoTracking().FirstOrDefaultAsync(t => t.Key == key, ct)
            ?? throw new InvalidOperationException($"No template '{key}'.");
        var version = await ActiveVersionAsync(db, key, locale, ct)
            ?? throw new InvalidOperationException($"Template '{key}' has no active version.");
        var variables = VariablesOf(template).Select(v => v.Name).ToList();
        var parsed = ParsedOf(version, variables);
        var email = Render(parsed, values);
        var from = await SenderForAsync(db, template, ct);
        if (shown is null)
        {
            return new RenderResult(email, version.Id, from);
        }

        var safe = Render(parsed, shown);
        return safe == email ? new RenderResult(email, version.Id, from) : new RenderResult(safe, version.Id, from, email);
    }
}
