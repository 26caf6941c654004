using SalesMind.TestSupport;

namespace SalesMind.Identity.UnitTests;

public sealed class NamespaceTests
{
    [Fact]
    public void Identity_namespaces_import_each_other_without_loops()
    {
        var cycles = NamespaceGraph.Cycles(Path.Combine(Repository.Root, "services", "Identity"), "SalesMind.Identity");

        Assert.Empty(cycles);
    }
}
