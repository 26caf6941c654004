using SalesMind.TestSupport;

namespace SalesMind.Notifier.UnitTests;

public sealed class NamespaceTests
{
    [Fact]
    public void Notifier_namespaces_import_each_other_without_loops() =>
        Assert.Empty(NamespaceGraph.Cycles(RepoFiles.Notifier, "SalesMind.Notifier"));
}
