using System.Text;
using System.Text.RegularExpressions;

namespace SalesMind.Notifier.Rendering;

/// <summary>
/// Where a secret account link (<see cref="SecretLinkAttribute"/>) may stand in a template: as
/// text, or as the <c>href</c> of an <c>&lt;a&gt;</c>, which only the reader's click follows. Never
/// in the subject (stored in mailbox lists and logs), never in another attribute (an
/// <c>&lt;img src&gt;</c> or a background URL is fetched by the mail client as soon as the email
/// is opened: a stolen admin token could otherwise make every reset email hand its link to an
/// outside server), and never inside <c>&lt;style&gt;</c>. A secret code
/// (<see cref="SecretCodeAttribute"/>) may stand only as text: it is never part of a URL.
/// </summary>
public static partial class SecretLinkPlacement
{
    /// <summary>Every model field marked secret, in any template: a custom template's variable of the same name is treated alike.</summary>
    public static IReadOnlySet<string> Names { get; } = TemplateCatalog.BuiltIn
        .SelectMany(t => TemplateCatalog.SecretLinksOf(t.ModelType)).ToHashSet(StringComparer.Ordinal);

    /// <summary>Every model field marked as a secret code, in any template; a custom template's variable of the same name is treated alike.</summary>
    public static IReadOnlySet<string> CodeNames { get; } = TemplateCatalog.BuiltIn
        .SelectMany(t => TemplateCatalog.SecretCodesOf(t.ModelType)).ToHashSet(StringComparer.Ordinal);

    /// <summary>The problems of <paramref name="template"/> as part <paramref name="part"/> (<c>subject</c>, <c>html</c> or <c>text</c>).</summary>
    public static List<TemplateProblem> Check(string part, ParsedTemplate template)
    {
        var problems = new List<TemplateProblem>();
        var before = new StringBuilder();
        var segments = template.Segments;
        for (var i = 0; i < segments.Count; i++)
        {
            switch (segments[i])
            {
                case TextSegment text:
                    before.Append(text.Text);
                    break;
                case VariableSegment variable when Names.Contains(variable.Name) || CodeNames.Contains(variable.Name):
                    var after = i + 1 < segments.Count && segments[i + 1] is TextSegment next ? next.Text : "";
                    if (Refusal(part, variable, before.ToString(), after) is { } reason)
                    {
                        problems.Add(new TemplateProblem(variable.Line, variable.Column, reason));
                    }

                    before.Append('x');
                    break;
                default:
                    before.Append('x');
                    break;
            }
        }

        return problems;
    }

    private static string? Refusal(string part, VariableSegment variable, string before, string after)
    {
        var name = $"Model.{variable.Name}";
        if (CodeNames.Contains(variable.Name))
        {
            return CodeRefusal(part, name, before);
        }

        if (part == "subject")
        {
            return $"{name} is a secret account link: it may not appear in the subject.";
        }

        if (part != "html")
        {
            return null;
        }

        if (before.LastIndexOf("<style", StringComparison.OrdinalIgnoreCase) > before.LastIndexOf("</style", StringComparison.OrdinalIgnoreCase))
        {
            return $"{name} is a secret account link: it may not appear inside <style>.";
        }

        var open = before.LastIndexOf('<');
        if (open <= before.LastIndexOf('>'))
        {
            return null; // text between tags: shown, never fetched
        }

        var tag = before[open..];
        var quote = HrefOfAnchor().Match(tag);
        return quote.Success && variable.Helper is null && after.StartsWith(quote.Groups["q"].Value, StringComparison.Ordinal)
            ? null
            : $"{name} is a secret account link: inside a tag it may only be the whole href of an <a> (href=\"@{name}\"), never another attribute a mail client could fetch.";
    }

    private static string? CodeRefusal(string part, string name, string before)
    {
        if (part == "subject")
        {
            return $"{name} is a secret code: it may not appear in the subject.";
        }

        if (part != "html")
        {
            return null;
        }

        var inStyle = before.LastIndexOf("<style", StringComparison.OrdinalIgnoreCase) > before.LastIndexOf("</style", StringComparison.OrdinalIgnoreCase);
        var inTag = before.LastIndexOf('<') > before.LastIndexOf('>');
        return inStyle || inTag ? $"{name} is a secret code: it may only appear as text between tags, never inside a tag or <style>." : null;
    }

    /// <summary>An open <c>&lt;a …</c> tag that ends with <c>href="</c> (or <c>'</c>): the link is the attribute's whole value.</summary>
    [GeneratedRegex("""^<a\s(?:[^<>]*\s)?href\s*=\s*(?<q>["'])$""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HrefOfAnchor();
}
