namespace SalesMind.Identity.UnitTests;

internal static class Repository
{
    /// <summary>The checkout's root: the nearest folder up from the test binaries holding SalesMind.sln.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SalesMind.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No SalesMind.sln above {AppContext.BaseDirectory}.");
    }
}
