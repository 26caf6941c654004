using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SalesMind.Identity.Web;

namespace SalesMind.Identity.UnitTests;

/// <summary>
/// The pages check the same field rules before sending and show the same sentences, from their
/// own copy (i18n.js, key <c>err.&lt;key&gt;</c>). The server's <see cref="Messages.FieldRuleTexts"/>
/// is the source; these tests fail when the pages' copy differs from it in either language.
/// </summary>
public sealed partial class PageMessageTests
{
    private static readonly string PagesCopy = Path.Combine("web", "assets", "i18n.js");

    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> Page = new(ReadPage);

    public static TheoryData<string> FieldRuleKeys() => [.. Messages.FieldRuleTexts.Keys];

    [Theory]
    [MemberData(nameof(FieldRuleKeys))]
    public void The_pages_show_the_servers_sentence_for_every_field_rule_in_both_languages(string key)
    {
        var (ja, en) = Messages.FieldRuleTexts[key];

        Assert.Equal(ja, Page.Value["ja"].GetValueOrDefault("err." + key));
        Assert.Equal(en, Page.Value["en"].GetValueOrDefault("err." + key));
    }

    [Theory]
    [InlineData("ja")]
    [InlineData("en")]
    public void The_pages_have_no_field_rule_message_the_server_does_not_know(string locale)
    {
        var fields = Messages.FieldRuleTexts.Keys.Select(k => k[..k.IndexOf('.')]).ToHashSet();
        var pageOnly = Page.Value[locale].Keys
            .Where(k => k.StartsWith("err.", StringComparison.Ordinal) && fields.Contains(k.Split('.')[1]))
            .Select(k => k["err.".Length..])
            .Where(k => !Messages.FieldRuleTexts.ContainsKey(k))
            .ToList();

        Assert.Empty(pageOnly);
    }

    /// <summary>The plain-string entries of each language's table (<c>ja: {</c>, <c>en: {</c>).</summary>
    private static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ReadPage()
    {
        var tables = new Dictionary<string, IReadOnlyDictionary<string, string>>();
        Dictionary<string, string>? current = null;
        foreach (var line in File.ReadLines(Path.Combine(Repository.Root, PagesCopy)))
        {
            if (TableStart().Match(line) is { Success: true } start)
            {
                current = [];
                tables[start.Groups[1].Value] = current;
            }
            else if (current is not null && Entry().Match(line) is { Success: true } entry)
            {
                current[entry.Groups[1].Value] = Unescape(entry.Groups[2].Value);
            }
        }

        Assert.True(tables.ContainsKey("ja") && tables.ContainsKey("en"), $"{PagesCopy} has no ja and en tables");
        return tables;
    }

    private static string Unescape(string js)
    {
        var text = new StringBuilder();
        for (var i = 0; i < js.Length; i++)
        {
            if (js[i] != '\\' || i + 1 >= js.Length)
            {
                text.Append(js[i]);
                continue;
            }

            var c = js[++i];
            if (c == 'u' && i + 4 < js.Length)
            {
                text.Append((char)int.Parse(js.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 4;
            }
            else
            {
                text.Append(c switch { 'n' => '\n', 't' => '\t', _ => c });
            }
        }

        return text.ToString();
    }

    [GeneratedRegex(@"^\s{2}(ja|en):\s*\{\s*$")]
    private static partial Regex TableStart();

    [GeneratedRegex(@"^\s+'([^']+)':\s*'((?:[^'\\]|\\.)*)',?\s*$")]
    private static partial Regex Entry();
}
