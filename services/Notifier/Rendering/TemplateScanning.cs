using System.Text;

namespace SalesMind.Notifier.Rendering;

/// <summary>The template parser's scanning: expressions, identifiers, balanced brackets, statements, and its problem list.</summary>
public static partial class TemplateSyntax
{
    /// <summary>
    /// "Model.Name.ToUpper()" → ["Model", "Name", "ToUpper()"]. Null when the expression is
    /// anything but a chain of plain identifiers ending in at most one argument-less call.
    /// </summary>
    private static List<string>? SplitMemberChain(string expression)
    {
        var parts = new List<string>();
        var i = 0;
        while (true)
        {
            var name = ReadIdentifier(expression, i);
            if (name.Length == 0)
            {
                return null;
            }

            i += name.Length;
            if (i + 1 < expression.Length && expression[i] == '(' && expression[i + 1] == ')')
            {
                name += "()";
                i += 2;
            }

            parts.Add(name);
            if (i == expression.Length)
            {
                return parts;
            }

            if (expression[i] != '.')
            {
                return null;
            }

            i++;
        }
    }

    private static string Describe(string expression)
    {
        if (expression.Length == 0)
        {
            return "an empty expression '@()': ";
        }

        if (expression.Contains('(') && !expression.Contains("()", StringComparison.Ordinal))
        {
            return $"'{Shorten(expression)}' calls a method with arguments: ";
        }

        if (expression.Contains('['))
        {
            return $"'{Shorten(expression)}' indexes into a value: ";
        }

        if (expression.Contains('=') || expression.Contains('+') || expression.Contains('?') || expression.Contains('"'))
        {
            return $"'{Shorten(expression)}' computes something: ";
        }

        return $"'{Shorten(expression)}' is not a plain read of the model: ";
    }

    private static string Shorten(string s) => s.Length > 60 ? s[..57] + "..." : s;

    /// <summary>Where Razor's implicit expression starting at <paramref name="i"/> ends.</summary>
    private static int ImplicitExpressionEnd(string source, int i)
    {
        while (i < source.Length)
        {
            var name = ReadIdentifier(source, i);
            if (name.Length == 0)
            {
                return i;
            }

            i += name.Length;
            while (i < source.Length && source[i] is '(' or '[')
            {
                var close = FindClose(source, i, source[i], source[i] == '(' ? ')' : ']');
                if (close < 0)
                {
                    return source.Length;
                }

                i = close + 1;
            }

            // '?.' and '!.' (null-conditional, null-forgiving) continue the expression too.
            var j = i;
            if (j < source.Length && source[j] is '?' or '!' && j + 1 < source.Length && source[j + 1] is '.' or '[' or '(')
            {
                j++;
            }

            if (j + 1 < source.Length && source[j] == '.' && IsIdentifierStart(source[j + 1]))
            {
                i = j + 1;
                continue;
            }

            if (j != i)
            {
                // "@Model.X?[0]" and the like: take it whole so it is refused whole.
                return ImplicitExpressionEnd(source, j) is var k && k > j ? k : j + 1;
            }

            return i;
        }

        return i;
    }

    private static string ReadIdentifier(string s, int i)
    {
        if (i >= s.Length || !IsIdentifierStart(s[i]))
        {
            return "";
        }

        var start = i;
        while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_'))
        {
            i++;
        }

        return s[start..i];
    }

    private static bool IsIdentifierStart(char c) => char.IsLetter(c) || c == '_';

    /// <summary>The index of the bracket closing the one at <paramref name="open"/>, or -1.</summary>
    private static int FindClose(string s, int open, char opening, char closing)
    {
        var depth = 0;
        for (var i = open; i < s.Length; i++)
        {
            if (s[i] == '"' || s[i] == '\'')
            {
                // Skip string and char literals so a bracket inside one does not count.
                var quote = s[i];
                for (i++; i < s.Length && s[i] != quote; i++)
                {
                    if (s[i] == '\\')
                    {
                        i++;
                    }
                }

                continue;
            }

            if (s[i] == opening)
            {
                depth++;
            }
            else if (s[i] == closing && --depth == 0)
            {
                return i;
            }
        }

        return -1;
    }

    private static int SkipBalanced(string s, int from, char opening, char closing)
    {
        var open = s.IndexOf(opening, from);
        if (open < 0)
        {
            return LineEnd(s, from);
        }

        var close = FindClose(s, open, opening, closing);
        return close < 0 ? s.Length : close + 1;
    }

    /// <summary>Skips "(…) { … }" after a statement keyword, so its body is not reported again.</summary>
    private static int SkipStatement(string s, int from)
    {
        var i = from;
        while (i < s.Length && char.IsWhiteSpace(s[i]))
        {
            i++;
        }

        if (i < s.Length && s[i] == '(')
        {
            var close = FindClose(s, i, '(', ')');
            i = close < 0 ? s.Length : close + 1;
        }

        while (i < s.Length && char.IsWhiteSpace(s[i]))
        {
            i++;
        }

        return i < s.Length && s[i] == '{' ? SkipBalanced(s, i, '{', '}') : Math.Max(i, from);
    }

    private static int LineEnd(string s, int from)
    {
        var end = s.IndexOf('\n', from);
        return end < 0 ? s.Length : end;
    }

    private static void Flush(StringBuilder text, List<TemplateSegment> segments)
    {
        if (text.Length > 0)
        {
            segments.Add(new TextSegment(text.ToString()));
            text.Clear();
        }
    }

    /// <summary>
    /// The problems of one part: the first <see cref="MaxProblems"/> with their positions, the
    /// rest only counted. Positions come from an index of line starts built once, so reporting a
    /// problem costs O(log n) instead of a scan from the start (which made many problems quadratic).
    /// </summary>
    private sealed class ProblemList(string source)
    {
        private readonly List<TemplateProblem> _shown = [];
        private List<int>? _lineStarts;
        private int _firstHidden = -1;

        public int Count { get; private set; }

        public void Add(int index, string message)
        {
            Count++;
            if (_shown.Count < MaxProblems)
            {
                var (line, column) = Position(index);
                _shown.Add(new TemplateProblem(line, column, message));
            }
            else if (_firstHidden < 0)
            {
                _firstHidden = index;
            }
        }

        public List<TemplateProblem> ToList()
        {
            var list = new List<TemplateProblem>(_shown);
            if (Count > _shown.Count)
            {
                var (line, column) = Position(_firstHidden);
                var more = Count - _shown.Count;
                list.Add(new TemplateProblem(line, column, $"and {more} more problem{(more == 1 ? "" : "s")} from here on, not listed: fix the ones above first"));
            }

            return list;
        }

        public (int Line, int Column) Position(int index)
        {
            if (_lineStarts is null)
            {
                _lineStarts = [0];
                for (var i = source.IndexOf('\n'); i >= 0; i = source.IndexOf('\n', i + 1))
                {
                    _lineStarts.Add(i + 1);
                }
            }

            index = Math.Clamp(index, 0, source.Length);
            var found = _lineStarts.BinarySearch(index);
            // Not found: ~found is the first line start after index, so the line is the one before it.
            var line = found >= 0 ? found : ~found - 1;
            return (line + 1, index - _lineStarts[line] + 1);
        }
    }
}
