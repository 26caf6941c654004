namespace SalesMind.Notifier.UnitTests;

/// <summary>The Notifier's source files, found from the test binaries by walking up to SalesMind.sln.</summary>
internal static class RepoFiles
{
    public static string Root { get; } = FindRoot();

    public static string Notifier => Path.Combine(Root, "services", "Notifier");

    /// <summary>Every C# file of the Notifier outside build output and migrations, as a path relative to the service folder.</summary>
    public static IEnumerable<(string Path, string Text)> NotifierSources() =>
        Directory.EnumerateFiles(Notifier, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Notifier, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("bin/", StringComparison.Ordinal) && !f.StartsWith("obj/", StringComparison.Ordinal)
                && !f.StartsWith("Data/Migrations/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => (f, File.ReadAllText(Path.Combine(Notifier, f))));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SalesMind.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("SalesMind.sln not found above the test binaries.");
    }
}
