using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.UnitTests;

/// <summary>The "your password was changed" notice: both languages, the facts, the way back, and no secret.</summary>
public sealed class PasswordChangedTemplateTests
{
    private static RenderedEmail Render(string locale, PasswordChangedModel model)
    {
        var template = TemplateCatalog.Find(TemplateKeys.PasswordChanged)!;
        var parts = TemplateStore.Parse(
            TemplateCatalog.ShippedSource(template, locale, "subject"),
            TemplateCatalog.ShippedSource(template, locale, "html"),
            TemplateCatalog.ShippedSource(template, locale, "text"),
            template.Variables.Select(v => v.Name).ToList());
        return TemplateStore.Render(parts, TemplateCatalog.ValuesOf(model));
    }

    [Theory]
    [InlineData("ja", "SalesMind パスワード変更のお知らせ", "パスワードを再設定する")]
    [InlineData("en", "Your SalesMind password was changed", "Reset my password")]
    public void The_notice_renders_in_both_languages_with_when_where_and_the_way_back(string locale, string subject, string button)
    {
        var email = Render(locale, new PasswordChangedModel(
            "taro", TemplateTime.Format(new DateTimeOffset(2026, 11, 30, 1, 0, 0, TimeSpan.Zero), locale), "Firefox on Linux",
            "https://salesmind.example/forgot_password.html", "SalesMind"));

        Assert.Equal(subject, email.Subject);
        foreach (var body in new[] { email.Text, email.Html })
        {
            Assert.Contains("taro", body);
            Assert.Contains("Firefox on Linux", body);
            Assert.Contains(locale == "ja" ? "2026年11月30日 10:00" : "30 November 2026, 01:00 UTC", body);
        }

        Assert.Contains("href=\"https://salesmind.example/forgot_password.html\"", email.Html);
        Assert.Contains(button, email.Html);
        Assert.Contains("https://salesmind.example/forgot_password.html", email.Text);
    }

    [Fact]
    public void The_notice_carries_no_secret_link()
    {
        Assert.Empty(TemplateCatalog.SecretLinksOf(typeof(PasswordChangedModel)));
        foreach (var locale in TemplateCatalog.Locales)
        {
            foreach (var part in TemplateCatalog.Parts)
            {
                Assert.DoesNotContain("token", TemplateCatalog.ShippedSource(TemplateCatalog.Find(TemplateKeys.PasswordChanged)!, locale, part),
                    StringComparison.OrdinalIgnoreCase);
            }
        }
    }
}
