using System.Text.RegularExpressions;

namespace SalesMind.TestSupport;

/// <summary>
/// Stand-in for the shared checker (tests/TestSupport/NamespaceGraph.cs, same API); the project
/// file leaves this one out as soon as that file exists.
/// </summary>
internal static partial class NamespaceGraph
{
    /// <summary>Cycles among the namespaces under <paramref name="rootNamespace"/>, each as "A -> B -> A"; empty when none.</summary>
    public static IReadOnlyList<string> Cycles(string sourceDirectory, string rootNamespace)
    {
        var edges = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(sourceDirectory, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(sourceDirectory, file).Replace('\\', '/');
            if (relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal))
            {
                continue;
            }

            var text = File.ReadAllText(file);
            var own = Declared().Match(text) is { Success: true } m ? m.Groups[1].Value : rootNamespace;
            var targets = edges.TryGetValue(own, out var set) ? set : edges[own] = [];
            var body = Declared().Replace(Comments().Replace(text, ""), "");
            foreach (Match use in Named().Matches(body))
            {
                targets.Add(use.Groups[1].Value);
            }
        }

        var nodes = edges.Keys.Where(n => n == rootNamespace || n.StartsWith(rootNamespace + ".", StringComparison.Ordinal)).ToHashSet();
        string? Owner(string name) => nodes.Where(n => name == n || name.StartsWith(n + ".", StringComparison.Ordinal)).MaxBy(n => n.Length);
        var graph = nodes.ToDictionary(n => n, n => edges[n].Select(Owner).OfType<string>().Where(t => t != n).ToHashSet());

        var cycles = new List<string>();
        foreach (var start in nodes.Order(StringComparer.Ordinal))
        {
            Walk(start, [start]);
        }

        return cycles;

        void Walk(string at, List<string> path)
        {
            foreach (var next in graph[at].Order(StringComparer.Ordinal))
            {
                if (next == path[0])
                {
                    cycles.Add(string.Join(" -> ", path.Append(next)));
                }
                else if (string.CompareOrdinal(next, path[0]) > 0 && !path.Contains(next))
                {
                    Walk(next, [.. path, next]);
                }
            }
        }
    }

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex Declared();

    [GeneratedRegex(@"//[^\n]*|""(?:[^""\\\n]|\\.)*""")]
    private static partial Regex Comments();

    [GeneratedRegex(@"(?<![\w.])(SalesMind(?:\.\w+)+)")]
    private static partial Regex Named();
}
