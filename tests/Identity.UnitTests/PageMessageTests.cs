using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using SalesMind.Identity.Web;

namespace SalesMind.Identity.UnitTests;

/// <summary>
/// The pages check the same field rules before sending and show the same sentences, from their
/// own copy (key <c>err.&lt;key&gt;</c> in web/assets/i18n/errors.js today; every text module
/// under web/assets/i18n/ and i18n.js itself are read, so the entries may move). The server's
/// <see cref="Messages.FieldRuleTexts"/> is the source; these tests fail when the pages' copy
/// differs from it in either language.
/// </summary>
public sealed partial class PageMessageTests
{
    private static readonly string PagesTexts = Path.Combine("web", "assets");

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

    /// <summary>
    /// The plain-string entries of each language's table (<c>export const ja = {</c> in a text
    /// module, or <c>ja: {</c>), over all the pages' text files. A key found twice in one language
    /// fails: the pages would show only one of the two.
    /// </summary>
    private static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ReadPage()
    {
        var root = Path.Combine(Repository.Root, PagesTexts);
        var files = Directory.GetFiles(Path.Combine(root, "i18n"), "*.js", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Prepend(Path.Combine(root, "i18n.js"));

        var tables = new Dictionary<string, Dictionary<string, string>>();
        foreach (var file in files)
        {
            Dictionary<string, string>? current = null;
            foreach (var line in File.ReadLines(file))
            {
                if (TableStart().Match(line) is { Success: true } start)
                {
                    var locale = start.Groups["locale"].Value;
                    current = tables.TryGetValue(locale, out var table) ? table : tables[locale] = [];
                }
                else if (TableEnd().IsMatch(line))
                {
                    current = null;
                }
                else if (current is not null && Entry().Match(line) is { Success: true } entry)
                {
                    var key = entry.Groups[1].Value;
                    Assert.False(current.ContainsKey(key), $"{key} appears twice in the pages' texts ({Path.GetRelativePath(Repository.Root, file)})");
                    current[key] = Unescape(entry.Groups[2].Value);
                }
            }
        }

        Assert.True(tables.ContainsKey("ja") && tables.ContainsKey("en"), $"{PagesTexts} has no ja and en tables");
        return tables.ToDictionary(t => t.Key, t => (IReadOnlyDictionary<string, string>)t.Value);
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

    [GeneratedRegex(@"^(?:export\s+const\s+(?<locale>ja|en)\s*=|\s{2}(?<locale>ja|en):)\s*\{\s*$")]
    private static partial Regex TableStart();

    [GeneratedRegex(@"^\s{0,2}\}[,;]?\s*$")]
    private static partial Regex TableEnd();

    [GeneratedRegex(@"^\s+'([^']+)':\s*'((?:[^'\\]|\\.)*)',?\s*$")]
    private static partial Regex Entry();
}
