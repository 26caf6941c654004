using System.Text;

namespace SalesMind.Notifier.Rendering;

/// <summary>Something wrong in a template part, with where it is (1-based line and column).</summary>
public sealed record TemplateProblem(int Line, int Column, string Message)
{
    public override string ToString() => $"line {Line}, column {Column}: {Message}";
}

/// <summary>A piece of a parsed template: text as written, or a variable of the model.</summary>
public abstract record TemplateSegment;

public sealed record TextSegment(string Text) : TemplateSegment;

/// <summary><c>@Model.Name</c>, optionally through one formatting helper (<c>@Model.Name.ToUpper()</c>).</summary>
public sealed record VariableSegment(string Name, string? Helper, int Line, int Column) : TemplateSegment;

/// <summary>A template part that passed the checks: only text and reads of the model.</summary>
public sealed record ParsedTemplate(IReadOnlyList<TemplateSegment> Segments);

/// <summary>
/// The template language: Razor's syntax, restricted to reading the model. A template is text
/// with <c>@Model.Variable</c> (or <c>@(Model.Variable)</c>), optionally formatted by one helper
/// of <see cref="Helpers"/>, <c>@@</c> for a literal <c>@</c> and <c>@* comments *@</c>.
/// <para>
/// Why not compile templates with Razor: Razor turns a template into C# and runs it, so
/// <c>@System.IO.File.ReadAllText(…)</c> in a template runs on the server. A checker in front of
/// the compiler is one parser disagreement away from running admin-written code, and each
/// compiled template is an assembly that is never unloaded. So templates are parsed here, every
/// construct outside the subset is refused with its reason, and the result is interpreted by
/// <see cref="TemplateRendering"/>: nothing a template says is ever executed.
/// </para>
/// </summary>
public static partial class TemplateSyntax
{
    /// <summary>The formatting helpers a variable may go through, e.g. <c>@Model.Username.ToUpper()</c>.</summary>
    public static readonly IReadOnlyDictionary<string, Func<string, string>> Helpers = new Dictionary<string, Func<string, string>>(StringComparer.Ordinal)
    {
        ["ToUpper"] = s => s.ToUpperInvariant(),
        ["ToLower"] = s => s.ToLowerInvariant(),
        ["ToUpperInvariant"] = s => s.ToUpperInvariant(),
        ["ToLowerInvariant"] = s => s.ToLowerInvariant(),
        ["Trim"] = s => s.Trim(),
    };

    private static readonly HashSet<string> Directives = new(StringComparer.Ordinal)
    {
        "using", "inject", "model", "inherits", "functions", "code", "section", "layout", "page", "namespace",
        "implements", "attribute", "addTagHelper", "removeTagHelper", "tagHelperPrefix", "preservewhitespace",
        "typeparam", "rendermode", "helper", "RenderBody", "RenderSection", "IgnoreSection", "IgnoreBody",
    };

    private static readonly HashSet<string> Statements = new(StringComparer.Ordinal)
    {
        "if", "else", "for", "foreach", "while", "do", "switch", "try", "catch", "finally", "lock", "await",
        "return", "goto", "throw", "checked", "unchecked", "unsafe", "fixed", "var", "new", "typeof", "nameof",
        "sizeof", "default", "stackalloc", "delegate", "async", "using", "yield",
    };

    private const string Allowed = "a template may only print Model.<variable>, optionally through ToUpper(), ToLower() or Trim()";

    /// <summary>
    /// The most problems one part reports; the rest are counted in one closing line. A part full
    /// of mistakes (or an attack of 100 KB of lone '@') must not produce a megabyte of errors.
    /// </summary>
    public const int MaxProblems = 20;

    /// <summary>
    /// Parses <paramref name="source"/> in one pass (time linear in its length). The first
    /// <see cref="MaxProblems"/> problems are reported (not only the first), each with its line and
    /// column, then one line counting the rest; the template is returned only when there are none.
    /// </summary>
    /// <param name="variables">The names the model has, e.g. <c>Username</c>.</param>
    public static (ParsedTemplate? Template, List<TemplateProblem> Problems) Parse(string source, IReadOnlyCollection<string> variables)
    {
        var problems = new ProblemList(source);
        var segments = new List<TemplateSegment>();
        var text = new StringBuilder();
        var i = 0;
        while (i < source.Length)
        {
            var at = source.IndexOf('@', i);
            if (at < 0)
            {
                text.Append(source, i, source.Length - i);
                break;
            }

            text.Append(source, i, at - i);
            i = at + 1;
            var next = i < source.Length ? source[i] : '\0';

            if (next == '@')
            {
                text.Append('@');
                i++;
                continue;
            }

            // As in Razor, "name@example.com" is an address, not code.
            if (at > 0 && char.IsLetterOrDigit(source[at - 1]) && (char.IsLetterOrDigit(next) || next == '_'))
            {
                text.Append('@');
                continue;
            }

            if (next == '*')
            {
                var end = source.IndexOf("*@", i + 1, StringComparison.Ordinal);
                if (end < 0)
                {
                    problems.Add(at, "the comment '@*' is never closed with '*@'");
                    break;
                }

                i = end + 2;
                continue;
            }

            if (next == '{')
            {
                problems.Add(at, "code blocks '@{ … }' are not allowed: " + Allowed);
                i = SkipBalanced(source, i, '{', '}');
                continue;
            }

            if (next == '(')
            {
                var close = FindClose(source, i, '(', ')');
                if (close < 0)
                {
                    problems.Add(i, "'(' is never closed");
                    break;
                }

                var inner = source[(i + 1)..close];
                var offset = i + 1 + (inner.Length - inner.TrimStart().Length);
                var segment = Expression(inner.Trim(), offset, at, variables, problems);
                if (segment is not null)
                {
                    Flush(text, segments);
                    segments.Add(segment);
                }

                i = close + 1;
                continue;
            }

            if (next == ':' || next == '<')
            {
                problems.Add(at, $"'@{next}' is code syntax: " + Allowed + "; write '@@' for a literal '@'");
                continue;
            }

            if (!IsIdentifierStart(next))
            {
                problems.Add(at, "a lone '@' starts code: write '@@' for a literal '@'");
                continue;
            }

            // An implicit expression, read as far as Razor would read it: identifiers joined by
            // '.', '?.' or '!.', with any (…) or […] attached.
            var start = i;
            var exprEnd = ImplicitExpressionEnd(source, i);
            var expression = source[start..exprEnd];
            var first = ReadIdentifier(expression, 0);
            if (Directives.Contains(first))
            {
                problems.Add(at, $"the directive '@{first}' is not allowed: " + Allowed);
                i = first is "functions" or "code" ? SkipBalanced(source, exprEnd, '{', '}') : LineEnd(source, exprEnd);
                continue;
            }

            if (Statements.Contains(first))
            {
                problems.Add(at, $"'@{first}' is C# code: templates cannot run code; " + Allowed);
                i = SkipStatement(source, exprEnd);
                continue;
            }

            var implicitSegment = Expression(expression, start, at, variables, problems);
            if (implicitSegment is not null)
            {
                Flush(text, segments);
                segments.Add(implicitSegment);
            }

            i = exprEnd;
        }

        Flush(text, segments);
        return problems.Count == 0 ? (new ParsedTemplate(segments), []) : (null, problems.ToList());
    }

    /// <summary>Checks one expression (the inside of <c>@(…)</c> or an implicit one) and turns it into a segment.</summary>
    private static VariableSegment? Expression(
        string expression, int offset, int at, IReadOnlyCollection<string> variables, ProblemList problems)
    {
        var (line, column) = problems.Position(at);
        var parts = SplitMemberChain(expression);
        var root = ReadIdentifier(expression, 0);
        if (parts is null && root == "Model")
        {
            problems.Add(offset, Describe(expression) + Allowed);
            return null;
        }

        if (parts is null || root != "Model")
        {
            if (root.Length == 0)
            {
                problems.Add(offset, Describe(expression) + Allowed);
                return null;
            }

            parts ??= [root, "?"];
            var reason = root switch
            {
                _ when Statements.Contains(root) => $"'{Shorten(expression)}' is C# code: templates cannot run code; ",
                "Html" or "Raw" => $"'@{expression}' is not allowed: values are HTML-encoded in the HTML part and printed as they are in the subject and text, with no raw output; ",
                "ViewBag" or "ViewData" or "Context" or "this" or "base" or "Url" or "Json" or "TempData" or "Layout" =>
                    $"'{root}' is outside the model: ",
                _ when root == "System" || root.StartsWith("System.", StringComparison.Ordinal) || parts.Count > 1 =>
                    $"'{expression}' reaches outside the model (static members and other types are not allowed): ",
                _ => $"'{root}' is not part of the model: ",
            };
            problems.Add(offset, reason + Allowed);
            return null;
        }

        if (parts.Count < 2)
        {
            problems.Add(offset, "'Model' on its own prints nothing useful: name a variable, e.g. Model." + (variables.FirstOrDefault() ?? "Username"));
            return null;
        }

        var name = parts[1];
        if (name.EndsWith("()", StringComparison.Ordinal))
        {
            problems.Add(offset, $"'{expression}' calls a method of the model: " + Allowed);
            return null;
        }

        if (!variables.Contains(name))
        {
            var suggestion = variables.FirstOrDefault(v => string.Equals(v, name.Replace("_", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase));
            var prefix = variables.FirstOrDefault(v => name.StartsWith(v, StringComparison.Ordinal));
            problems.Add(offset, $"unknown variable 'Model.{name}'" +
                (suggestion is not null ? $" (did you mean 'Model.{suggestion}'?)"
                    : prefix is not null ? $" (to put text right after a variable, write '@(Model.{prefix}){name[prefix.Length..]}')" : "") +
                $"; this template's variables are {string.Join(", ", variables.Select(v => "Model." + v))}");
            return null;
        }

        string? helper = null;
        if (parts.Count >= 3)
        {
            var call = parts[2];
            var helperName = call.EndsWith("()", StringComparison.Ordinal) ? call[..^2] : null;
            if (parts.Count > 3 || helperName is null || !Helpers.ContainsKey(helperName))
            {
                problems.Add(offset, $"'{expression}' does more than read Model.{name}: " + Allowed);
                return null;
            }

            helper = helperName;
        }

        return new VariableSegment(name, helper, line, column);
    }
}
