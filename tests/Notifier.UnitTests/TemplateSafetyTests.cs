using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SalesMind.ServiceDefaults;
using SalesMind.TestSupport;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.UnitTests;

/// <summary>
/// Razor runs C#: every one of these would run code on the server if a template were compiled
/// as it was written. Each must be refused with a reason, by the parser and through the API.
/// </summary>
public sealed class TemplateSafetyTests
{
    private static readonly string[] Variables = ["Username", "LoginUrl", "SiteName"];

    public static TheoryData<string, string, string> Attacks => TemplateAttacks.All;

    [Theory]
    [MemberData(nameof(Attacks))]
    public void An_attack_template_is_refused_with_its_reason(string name, string template, string reason)
    {
        var (parsed, problems) = TemplateSyntax.Parse($"<p>Hello</p>\n{template}\n", Variables);

        Assert.Null(parsed);
        var problem = Assert.Single(problems, p => p.Line == 2);
        Assert.True(problem.Message.Contains(reason, StringComparison.OrdinalIgnoreCase), $"{name}: '{problem.Message}' does not say '{reason}'");
    }

    [Fact]
    public void The_corpus_has_at_least_twenty_attacks() => Assert.True(Attacks.Count >= 20);

    [Theory]
    [InlineData("Hello @Model.Username!", "Hello <b>!")]
    [InlineData("Hello @(Model.Username)san", "Hello <b>san")]
    [InlineData("@Model.Username.ToUpper() at @Model.SiteName.", "<B> at Site.")]
    [InlineData("Mail us: help@example.com, @@handle", "Mail us: help@example.com, @handle")]
    [InlineData("@* a comment *@Visible", "Visible")]
    [InlineData("@(Model.Username.Trim())", "<b>")]
    public void What_a_template_may_do_renders_as_written(string template, string expected)
    {
        var (parsed, problems) = TemplateSyntax.Parse(template, Variables);

        Assert.Empty(problems);
        var values = new Dictionary<string, string> { ["Username"] = " <b> ", ["SiteName"] = "Site", ["LoginUrl"] = "" };
        Assert.Equal(expected, TemplateRendering.Render(parsed!, values, html: false).Replace(" <b> ", "<b>").Replace(" <B> ", "<B>"));
    }

    [Fact]
    public void Values_are_encoded_in_html_and_left_alone_in_text()
    {
        var (parsed, _) = TemplateSyntax.Parse("<a href=\"@Model.LoginUrl\">@Model.Username</a>", Variables);
        var values = new Dictionary<string, string> { ["Username"] = "<script>\"x\" 花子", ["LoginUrl"] = "https://x.example/?a=1&b=\"2\"", ["SiteName"] = "" };

        Assert.Equal("<a href=\"https://x.example/?a=1&amp;b=&quot;2&quot;\">&lt;script&gt;&quot;x&quot; 花子</a>", TemplateRendering.Render(parsed!, values, html: true));
        Assert.Equal("<a href=\"https://x.example/?a=1&b=\"2\"\"><script>\"x\" 花子</a>", TemplateRendering.Render(parsed!, values, html: false));
    }

    [Fact]
    public void Every_problem_is_reported_with_its_line_and_column()
    {
        var (_, problems) = TemplateSyntax.Parse("line one\n  @Model.Nope here\n@{ x(); }\n@(Model.Username", Variables);

        Assert.Collection(problems,
            p => Assert.Equal((2, 4), (p.Line, p.Column)),
            p => Assert.Equal((3, 1), (p.Line, p.Column)),
            p => Assert.Equal((4, 2), (p.Line, p.Column)));
        Assert.Contains("unknown variable 'Model.Nope'", problems[0].Message);
        Assert.Contains("never closed", problems[2].Message);
    }

    [Fact]
    public void Output_past_the_size_limit_stops_rendering()
    {
        var template = string.Concat(Enumerable.Repeat("@Model.Username ", 1000));
        var (parsed, _) = TemplateSyntax.Parse(template, Variables);
        var values = new Dictionary<string, string> { ["Username"] = new string('x', 2000), ["LoginUrl"] = "", ["SiteName"] = "" };

        var ex = Assert.Throws<TemplateLimitException>(() => TemplateRendering.Render(parsed!, values, html: true));
        Assert.Contains("longer than", ex.Message);
    }
}

/// <summary>The same corpus through the admin API: every attack is a 400 naming its reason, and nothing is saved.</summary>
