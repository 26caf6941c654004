using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Admin;

/// <summary>Preview: a draft, a saved version or the active one, rendered with sample or given data (also what a test send renders).</summary>
public static partial class TemplateEndpoints
{
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
}
