namespace SalesMind.Notifier;

/// <summary>
/// Templates that would run code if they were compiled: refused by the parser (the unit tests)
/// and through the API (the integration tests, which compile this file too).
/// </summary>
internal static class TemplateAttacks
{
    /// <summary>(name, template, a word the reason must contain).</summary>
    public static readonly TheoryData<string, string, string> All = new()
    {
        { "read a file", """@System.IO.File.ReadAllText("/etc/passwd")""", "outside the model" },
        { "write a file", """@{ System.IO.File.WriteAllText("/tmp/pwned", "x"); }""", "code blocks" },
        { "start a process", """@System.Diagnostics.Process.Start("sh", "-c id")""", "outside the model" },
        { "environment variable", """@Environment.GetEnvironmentVariable("Auth__SigningKey")""", "outside the model" },
        { "all environment variables", """@(System.Environment.GetEnvironmentVariables())""", "outside the model" },
        { "reflection on the model", """@Model.GetType().Assembly.Location""", "calls a method" },
        { "reflection through typeof", """@typeof(string).Assembly.GetTypes()""", "cannot run code" },
        { "type load by name", """@(Type.GetType("System.IO.File"))""", "outside the model" },
        { "code block", """@{ var x = 1; }""", "code blocks" },
        { "functions block", """@functions { public string Steal() => System.IO.File.ReadAllText("/etc/shadow"); }""", "@functions" },
        { "using directive", """@using System.IO""", "@using" },
        { "inject directive", """@inject Microsoft.Extensions.Configuration.IConfiguration Config""", "@inject" },
        { "other model", """@model System.Object""", "@model" },
        { "inherits", """@inherits RazorLight.TemplatePage<dynamic>""", "@inherits" },
        { "endless loop", """@while (true) { <p>x</p> }""", "cannot run code" },
        { "for loop (huge output)", """@for (var i = 0; i < int.MaxValue; i++) { <p>@Model.Username</p> }""", "cannot run code" },
        { "string repeat (huge output)", """@(new string('x', 100000000))""", "cannot run code" },
        { "raw output", """@Html.Raw(Model.Username)""", "raw output" },
        { "bare Raw()", """@Raw(Model.Username)""", "raw output" },
        { "method with arguments on the model", """@Model.Username.PadLeft(100000000)""", "method with arguments" },
        { "indexer", """@Model.Username[0]""", "indexes" },
        { "static property", """@DateTime.Now""", "outside the model" },
        { "thread sleep", """@(System.Threading.Thread.Sleep(60000))""", "outside the model" },
        { "garbage collector", """@GC.Collect()""", "outside the model" },
        { "unknown member of the model", """@Model.PasswordHash""", "unknown variable" },
        { "view data", """@ViewBag.Secret""", "outside the model" },
        { "await", """@await System.IO.File.ReadAllTextAsync("/etc/hosts")""", "cannot run code" },
        { "lambda in explicit expression", """@(((Func<string>)(() => System.IO.File.ReadAllText("/etc/hosts")))())""", "computes something" },
        { "section", """@section Scripts { <script>alert(1)</script> }""", "@section" },
        { "null-conditional escape", """@Model?.GetType()""", "computes something" },
        { "code transition in markup", """<p>@: text line</p>""", "code syntax" },
        { "namespace via global alias", """@global::System.IO.File.ReadAllText("/etc/hosts")""", "not part of the model" },
    };
}
