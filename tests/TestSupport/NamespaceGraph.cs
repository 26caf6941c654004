using System.Text.RegularExpressions;

namespace SalesMind.TestSupport;

/// <summary>
/// Which namespaces of a project's sources use which, read from the source files, and the loops
/// among them. A file depends on every namespace it imports (<c>using</c>, <c>using static</c>,
/// aliases), every namespace it names in full, and every enclosing namespace whose types it names
/// (C# lets a file use its parents' types without a <c>using</c>, so that edge is invisible in the
/// directives). Top-level statements (Program.cs) belong to no namespace and nothing can import
/// them, so they never close a loop.
/// </summary>
public static partial class NamespaceGraph
{
    /// <summary>
    /// One loop per tangle of namespaces under <paramref name="rootNamespace"/> that reach each other,
    /// as "A -> B -> A", naming the tangle's other members when there are more.
    /// </summary>
    public static IReadOnlyList<string> Cycles(string sourceDirectory, string rootNamespace)
    {
        var edges = Edges(sourceDirectory, rootNamespace);
        var cycles = new List<string>();
        foreach (var component in StronglyConnected(edges).Where(c => c.Count > 1))
        {
            var loop = LoopThrough(component, edges);
            var rest = component.Except(loop).Order(StringComparer.Ordinal).ToList();
            cycles.Add(string.Join(" -> ", loop) + (rest.Count == 0 ? "" : $" (also caught in the tangle: {string.Join(", ", rest)})"));
        }

        return cycles;
    }

    /// <summary>For each namespace under <paramref name="rootNamespace"/>, the other namespaces under it that it uses.</summary>
    public static IReadOnlyDictionary<string, SortedSet<string>> Edges(string sourceDirectory, string rootNamespace)
    {
        var files = Directory.EnumerateFiles(sourceDirectory, "*.cs", SearchOption.AllDirectories)
            .Where(path => !IsBuildOutput(sourceDirectory, path))
            .Select(path => (Path: path, Code: WithoutCommentsAndStrings(File.ReadAllText(path))))
            .Select(file => (file.Code, Namespace: DeclaredNamespace(file.Code)))
            .ToList();

        var known = files.Select(f => f.Namespace).OfType<string>()
            .Where(ns => ns == rootNamespace || ns.StartsWith(rootNamespace + ".", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);

        var typesByNamespace = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var (code, ns) in files.Where(f => f.Namespace is not null && known.Contains(f.Namespace)))
        {
            var types = typesByNamespace.TryGetValue(ns!, out var set) ? set : typesByNamespace[ns!] = [];
            types.UnionWith(TypeDeclaration().Matches(code).Select(m => m.Groups["name"].Value));
        }

        var globalImports = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (code, _) in files)
        {
            globalImports.UnionWith(GlobalUsing().Matches(code).Select(m => Resolve(m.Groups["target"].Value, known)).OfType<string>());
        }

        var edges = known.ToDictionary(ns => ns, _ => new SortedSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var (code, ns) in files)
        {
            if (ns is null || !known.Contains(ns))
            {
                continue;
            }

            var uses = edges[ns];
            uses.UnionWith(globalImports);
            uses.UnionWith(UsingDirective().Matches(code).Select(m => Resolve(m.Groups["target"].Value, known)).OfType<string>());
            uses.UnionWith(QualifiedName().Matches(code).Select(m => Resolve(m.Value, known)).OfType<string>());
            foreach (var parent in Ancestors(ns).Where(typesByNamespace.ContainsKey))
            {
                if (typesByNamespace[parent].Any(type => Regex.IsMatch(code, $@"\b{Regex.Escape(type)}\b")))
                {
                    uses.Add(parent);
                }
            }

            uses.Remove(ns);
        }

        return edges;
    }

    private static bool IsBuildOutput(string root, string path)
    {
        var relative = Path.GetRelativePath(root, path).Split(Path.DirectorySeparatorChar);
        return relative.Any(part => part is "bin" or "obj");
    }

    // The longest known namespace that is a prefix of a name (a namespace, or a type in one).
    private static string? Resolve(string name, HashSet<string> known)
    {
        for (var candidate = name; candidate.Length > 0; candidate = candidate[..Math.Max(candidate.LastIndexOf('.'), 0)])
        {
            if (known.Contains(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static IEnumerable<string> Ancestors(string ns)
    {
        for (var dot = ns.LastIndexOf('.'); dot > 0; dot = ns.LastIndexOf('.', dot - 1))
        {
            yield return ns[..dot];
        }
    }

    private static string? DeclaredNamespace(string code)
    {
        var match = NamespaceDeclaration().Match(code);
        return match.Success ? match.Groups["name"].Value : null;
    }

    private static string WithoutCommentsAndStrings(string code) =>
        CommentOrString().Replace(code, m => m.Value.StartsWith('/') ? " " : "\"\"");

    // Tarjan's algorithm: each strongly connected component is a set of namespaces that reach each other.
    private static List<List<string>> StronglyConnected(IReadOnlyDictionary<string, SortedSet<string>> edges)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<List<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in edges[node].Where(edges.ContainsKey))
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], index[next]);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                components.Add(component);
            }
        }

        foreach (var node in edges.Keys.Order(StringComparer.Ordinal).Where(n => !index.ContainsKey(n)))
        {
            Visit(node);
        }

        return components;
    }

    // One concrete loop inside a component, starting and ending at its first member in order.
    private static List<string> LoopThrough(List<string> component, IReadOnlyDictionary<string, SortedSet<string>> edges)
    {
        var members = component.ToHashSet(StringComparer.Ordinal);
        var start = component.Order(StringComparer.Ordinal).First();
        var previous = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<string>([start]);
        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            foreach (var next in edges[node].Where(members.Contains))
            {
                if (next == start)
                {
                    var path = new List<string> { start };
                    for (var at = node; at != start; at = previous[at])
                    {
                        path.Insert(1, at);
                    }

                    path.Add(start);
                    return path;
                }

                if (previous.TryAdd(next, node))
                {
                    queue.Enqueue(next);
                }
            }
        }

        return [.. component, component[0]];
    }

    [GeneratedRegex(@"^\s*namespace\s+(?<name>[\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"^\s*using\s+(?:static\s+)?(?:\w+\s*=\s*)?(?<target>[A-Za-z_]\w*(?:\.\w+)+)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"^\s*global\s+using\s+(?:static\s+)?(?:\w+\s*=\s*)?(?<target>[A-Za-z_]\w*(?:\.\w+)+)\s*;", RegexOptions.Multiline)]
    private static partial Regex GlobalUsing();

    [GeneratedRegex(@"(?<![\w.])[A-Za-z_]\w*(?:\.\w+)+")]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"\b(?:class|record|struct|interface|enum|delegate\s+\S+)\s+(?<name>[A-Z]\w*)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|@""(?:[^""]|"""")*""|""""""[\s\S]*?""""""|""(?:\\.|[^""\\\n])*""", RegexOptions.Singleline)]
    private static partial Regex CommentOrString();
}
