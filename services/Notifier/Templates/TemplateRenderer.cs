using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using RazorLight;

namespace SalesMind.Notifier.Templates;

/// <summary>
/// Renders the shipped templates (embedded <c>Templates/&lt;Folder&gt;/&lt;locale&gt;.{subject,html,text}.cshtml</c>)
/// with RazorLight. In HTML parts <c>@Model.X</c> is HTML-encoded; subject and text parts are
/// plain text and print values with <c>@Raw</c>. Compiled templates are cached, so only the
/// first render of each part pays the ~2 s compilation.
/// </summary>
public sealed class TemplateRenderer
{
    public static readonly IReadOnlyList<string> Locales = ["ja", "en"];

    private static readonly Dictionary<string, string> Folders = new()
    {
        [TemplateKeys.EmailVerification] = "EmailVerification",
        [TemplateKeys.AccountAlreadyExists] = "AccountAlreadyExists",
        [TemplateKeys.PasswordReset] = "PasswordReset",
        [TemplateKeys.VerificationReminder] = "VerificationReminder",
    };

    private static readonly TimeZoneInfo Tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");

    private readonly RazorLightEngine _engine = new RazorLightEngineBuilder()
        .UseEmbeddedResourcesProject(typeof(TemplateRenderer))
        .SetOperatingAssembly(typeof(TemplateRenderer).Assembly)
        .UseMemoryCachingProvider()
        .Build();

    private readonly ConcurrentDictionary<string, string> _sources = new();

    public async Task<RenderedEmail> RenderAsync<TModel>(string template, string locale, TModel model)
        where TModel : class
    {
        if (!Folders.TryGetValue(template, out var folder))
        {
            throw new ArgumentException($"No template '{template}'.", nameof(template));
        }

        locale = Locales.Contains(locale) ? locale : Locales[0];
        var subject = await RenderPartAsync(folder, locale, "subject", model);
        var html = await RenderPartAsync(folder, locale, "html", model);
        var text = await RenderPartAsync(folder, locale, "text", model);
        // A subject is one line: whatever the template does, no header injection.
        subject = string.Join(' ', subject.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return new RenderedEmail(subject, html, text.Trim() + "\n");
    }

    /// <summary>
    /// Compiles every shipped template part, so the first real email after a start does not
    /// wait for the compiler (the first compilation takes seconds).
    /// </summary>
    public async Task WarmUpAsync(CancellationToken ct)
    {
        foreach (var (template, model) in TemplateSamples.Models)
        {
            foreach (var locale in Locales)
            {
                ct.ThrowIfCancellationRequested();
                await RenderAsync(template, locale, model);
            }
        }
    }

    /// <summary>A time as the reader of <paramref name="locale"/> expects it (Japan time for ja, UTC for en).</summary>
    public static string FormatTime(DateTimeOffset time, string locale) => locale == "en"
        ? time.ToUniversalTime().ToString("d MMMM yyyy, HH:mm 'UTC'", CultureInfo.GetCultureInfo("en-GB"))
        : TimeZoneInfo.ConvertTime(time, Tokyo).ToString("yyyy年M月d日 HH:mm '(日本時間)'", CultureInfo.GetCultureInfo("ja-JP"));

    private async Task<string> RenderPartAsync<TModel>(string folder, string locale, string part, TModel model)
    {
        var key = $"{folder}.{locale}.{part}";
        var source = _sources.GetOrAdd(key, LoadSource);
        var cached = _engine.Handler.Cache.RetrieveTemplate(key);
        return cached.Success
            ? await _engine.RenderTemplateAsync(cached.Template.TemplatePageFactory(), model)
            : await _engine.CompileRenderStringAsync(key, source, model);
    }

    private static string LoadSource(string key)
    {
        var name = $"SalesMind.Notifier.Templates.{key}.cshtml";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Template resource '{name}' is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
