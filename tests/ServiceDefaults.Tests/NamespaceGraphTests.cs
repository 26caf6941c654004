using SalesMind.TestSupport;

namespace SalesMind.ServiceDefaults.Tests;

/// <summary>The loop finder the services' layering tests rely on: it must see every kind of edge.</summary>
public sealed class NamespaceGraphTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("namespace-graph-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Write(string path, string code)
    {
        var full = Path.Combine(_root, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, code);
    }

    [Fact]
    public void Two_namespaces_importing_each_other_are_a_loop()
    {
        Write("A/One.cs", "using App.B;\nnamespace App.A;\npublic class One { Two? t; }");
        Write("B/Two.cs", "using App.A;\nnamespace App.B;\npublic class Two { One? o; }");

        Assert.Equal(["App.A -> App.B -> App.A"], NamespaceGraph.Cycles(_root, "App"));
    }

    [Fact]
    public void A_layered_project_has_no_loop()
    {
        Write("A/One.cs", "using App.B;\nnamespace App.A;\npublic class One { Two? t; }");
        Write("B/Two.cs", "namespace App.B;\npublic class Two { }");
        Write("Program.cs", "using App.A;\nusing App.B;\nvar x = new One();");

        Assert.Empty(NamespaceGraph.Cycles(_root, "App"));
    }

    [Fact]
    public void A_fully_qualified_name_and_a_using_static_count_as_imports()
    {
        Write("A/One.cs", "namespace App.A;\npublic class One { App.B.Two? t; }");
        Write("B/Two.cs", "using static App.C.Three;\nnamespace App.B;\npublic class Two { }");
        Write("C/Three.cs", "namespace App.C;\npublic static class Three { static App.A.One? o; }");

        Assert.Equal(["App.A -> App.B -> App.C -> App.A"], NamespaceGraph.Cycles(_root, "App"));
    }

    [Fact]
    public void Using_a_parent_type_without_a_directive_still_counts()
    {
        // C# resolves Settings from the enclosing namespace without any using.
        Write("Settings.cs", "using App.Feature;\nnamespace App;\npublic class Settings { Worker? w; }");
        Write("Feature/Worker.cs", "namespace App.Feature;\npublic class Worker { Settings? s; }");

        Assert.Equal(["App -> App.Feature -> App"], NamespaceGraph.Cycles(_root, "App"));
    }

    [Fact]
    public void Names_in_comments_and_strings_are_not_imports()
    {
        Write("A/One.cs", "using App.B;\nnamespace App.A;\npublic class One { Two? t; }");
        Write("B/Two.cs", "namespace App.B;\n// see App.A.One\npublic class Two { string s = \"App.A.One\"; }");

        Assert.Empty(NamespaceGraph.Cycles(_root, "App"));
    }

    [Fact]
    public void Build_output_is_ignored()
    {
        Write("A/One.cs", "using App.B;\nnamespace App.A;\npublic class One { }");
        Write("B/obj/Generated.cs", "using App.A;\nnamespace App.B;\npublic class Generated { }");
        Write("B/Two.cs", "namespace App.B;\npublic class Two { }");

        Assert.Empty(NamespaceGraph.Cycles(_root, "App"));
    }
}
