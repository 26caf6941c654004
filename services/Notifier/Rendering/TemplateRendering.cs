using System.Diagnostics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace SalesMind.Notifier.Rendering;

/// <summary>Rendering went past a limit (output size or time).</summary>
public sealed class TemplateLimitException(string message) : Exception(message);

/// <summary>Turns a parsed template part and the model's values into text.</summary>
public static class TemplateRendering
{
    /// <summary>The most one rendered part may produce.</summary>
    public const int MaxOutputChars = 1_000_000;

    /// <summary>The longest one part may take to render.</summary>
    public static readonly TimeSpan MaxRenderTime = TimeSpan.FromMilliseconds(500);

    // Every script left readable (Japanese stays Japanese); only what HTML needs is escaped.
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    /// <summary>
    /// Renders <paramref name="template"/>. In an HTML part every value is HTML-encoded; in the
    /// subject and the text it is printed as it is.
    /// </summary>
    public static string Render(ParsedTemplate template, IReadOnlyDictionary<string, string> values, bool html)
    {
        var clock = Stopwatch.StartNew();
        var output = new StringBuilder();
        foreach (var segment in template.Segments)
        {
            switch (segment)
            {
                case TextSegment text:
                    output.Append(text.Text);
                    break;
                case VariableSegment variable:
                    var value = values.GetValueOrDefault(variable.Name) ?? "";
                    if (variable.Helper is { } helper)
                    {
                        value = TemplateSyntax.Helpers[helper](value);
                    }

                    output.Append(html ? Html.Encode(value) : value);
                    break;
            }

            if (output.Length > MaxOutputChars)
            {
                throw new TemplateLimitException($"the rendered part is longer than {MaxOutputChars:N0} characters");
            }

            if (clock.Elapsed > MaxRenderTime)
            {
                throw new TemplateLimitException($"rendering took longer than {MaxRenderTime.TotalMilliseconds:0} ms");
            }
        }

        return output.ToString();
    }
}
