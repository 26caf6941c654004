using System.Text.RegularExpressions;
using SalesMind.TestSupport;

namespace SalesMind.Operations.Tests;

/// <summary>
/// The pages and their scripts as a browser gets them: every module parses, and every page's
/// block elements close in order. A script that does not parse stops every page importing it
/// (the texts stay in Japanese, forms post themselves to nginx), so this fails fast instead of
/// the browser journeys timing out one by one.
/// </summary>
public sealed partial class WebPageTests
{
    private static readonly string Web = Path.Combine(Stack.RepoRoot, "web");

    public static TheoryData<string> Scripts() =>
        [.. Directory.GetFiles(Path.Combine(Web, "assets"), "*.js", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Web, f)).Order()];

    public static TheoryData<string> Pages() =>
        [.. Directory.GetFiles(Web, "*.html").Select(f => Path.GetFileName(f)).Order()];

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Each_script_parses_as_a_module(string script)
    {
        // node checks a file by its extension: a copy named .mjs is parsed as the module the browser loads.
        var copy = Path.Combine(Path.GetTempPath(), $"salesmind-check-{Guid.NewGuid():N}.mjs");
        File.Copy(Path.Combine(Web, script), copy);
        try
        {
            var result = await Shell.RunAsync("node", ["--check", copy]);
            Assert.True(result.ExitCode == 0, $"{script} does not parse as a module: {result}");
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Each_page_closes_its_blocks_in_order(string page)
    {
        var html = Comment().Replace(File.ReadAllText(Path.Combine(Web, page)), "");
        var open = new Stack<(string Tag, int Line)>();
        foreach (Match tag in BlockTag().Matches(html))
        {
            var name = tag.Groups["name"].Value.ToLowerInvariant();
            var line = html[..tag.Index].Count(c => c == '\n') + 1;
            if (tag.Groups["close"].Success)
            {
                Assert.True(open.Count > 0 && open.Peek().Tag == name,
                    $"{page}:{line}: </{name}> closes {(open.Count > 0 ? $"<{open.Peek().Tag}> of line {open.Peek().Line}" : "nothing")}");
                open.Pop();
            }
            else
            {
                open.Push((name, line));
            }
        }

        Assert.True(open.Count == 0, $"{page}: left open: {string.Join(", ", open.Select(o => $"<{o.Tag}> of line {o.Line}"))}");
    }

    [GeneratedRegex("<!--.*?-->", RegexOptions.Singleline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"<(?<close>/)?(?<name>section|div|main|table|form|ul|ol|nav|header|footer|details|dialog|fieldset)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockTag();
}
