using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.UnitTests;

public sealed class TemplateTests
{
    /// <summary>Renders a shipped template's first version, as the Notifier does before any admin edits it.</summary>
    private static class Renderer
    {
        public static Task<RenderedEmail> RenderAsync(string key, string locale, object model)
        {
            var template = TemplateCatalog.Find(key)!;
            locale = TemplateCatalog.Locales.Contains(locale) ? locale : TemplateCatalog.Locales[0];
            var parts = TemplateStore.Parse(
                TemplateCatalog.ShippedSource(template, locale, "subject"),
                TemplateCatalog.ShippedSource(template, locale, "html"),
                TemplateCatalog.ShippedSource(template, locale, "text"),
                template.Variables.Select(v => v.Name).ToList());
            return Task.FromResult(TemplateStore.Render(parts, TemplateCatalog.ValuesOf(model)));
        }
    }

    private static EmailVerificationModel Verification(string username = "Hanako") => new(
        username, "https://salesmind.example/api/auth/verify-email/?token=abc&x=1", "042917",
        TemplateTime.Format(new DateTimeOffset(2026, 11, 29, 6, 4, 0, TimeSpan.Zero), "ja"), "SalesMind");

    [Fact]
    public async Task The_Japanese_verification_email_has_subject_html_and_text()
    {
        var email = await Renderer.RenderAsync(TemplateKeys.EmailVerification, "ja", Verification());

        Assert.Equal("SalesMind メールアドレスの確認をお願いします", email.Subject);
        Assert.Contains("Hanako 様", email.Html);
        Assert.Contains("メールアドレスを確認する", email.Html);
        Assert.Contains("href=\"https://salesmind.example/api/auth/verify-email/?token=abc&amp;x=1\"", email.Html);
        Assert.Contains("https://salesmind.example/api/auth/verify-email/?token=abc&x=1", email.Text);
        Assert.Contains("2026年11月29日 15:04 (日本時間)", email.Text);
        Assert.Contains("確認ページで次のコードを入力してください: 042917", email.Text);
        Assert.Contains(">042917</p>", email.Html);
        Assert.DoesNotContain("042917", email.Subject);
    }

    [Fact]
    public async Task The_English_verification_email_has_subject_html_and_text()
    {
        var model = Verification() with { ExpiresAt = TemplateTime.Format(new DateTimeOffset(2026, 11, 29, 6, 4, 0, TimeSpan.Zero), "en") };

        var email = await Renderer.RenderAsync(TemplateKeys.EmailVerification, "en", model);

        Assert.Equal("Confirm your email address for SalesMind", email.Subject);
        Assert.Contains("Hello Hanako,", email.Html);
        Assert.Contains("Hello Hanako,", email.Text);
        Assert.Contains("29 November 2026, 06:04 UTC", email.Text);
        Assert.Contains("enter this code on the confirmation page: 042917", email.Text);
        Assert.Contains(">042917</p>", email.Html);
    }

    [Theory]
    [InlineData("ja", "SalesMind へのご登録について")]
    [InlineData("en", "Someone tried to sign up for SalesMind with your address")]
    public async Task The_account_already_exists_notice_renders_in_both_languages(string locale, string subject)
    {
        var email = await Renderer.RenderAsync(TemplateKeys.AccountAlreadyExists, locale,
            new AccountAlreadyExistsModel("taro", "https://salesmind.example/login.html", "now", "SalesMind"));

        Assert.Equal(subject, email.Subject);
        Assert.Contains("https://salesmind.example/login.html", email.Html);
        Assert.Contains("https://salesmind.example/login.html", email.Text);
        Assert.Contains("taro", email.Text);
    }

    [Theory]
    [InlineData("ja", "SalesMind パスワード再設定のご案内")]
    [InlineData("en", "Reset your SalesMind password")]
    public async Task The_password_reset_email_renders_in_both_languages(string locale, string subject)
    {
        var email = await Renderer.RenderAsync(TemplateKeys.PasswordReset, locale,
            new PasswordResetModel("taro", "https://salesmind.example/reset_password.html?token=abc", "soon", "SalesMind"));

        Assert.Equal(subject, email.Subject);
        Assert.Contains("https://salesmind.example/reset_password.html?token=abc", email.Text);
        Assert.Contains("href=\"https://salesmind.example/reset_password.html?token=abc\"", email.Html);
    }

    [Theory]
    [InlineData("ja", "【リマインダー】SalesMind メールアドレスの確認がまだ完了していません")]
    [InlineData("en", "Reminder: confirm your email address for SalesMind")]
    public async Task The_verification_reminder_renders_in_both_languages(string locale, string subject)
    {
        var email = await Renderer.RenderAsync(TemplateKeys.VerificationReminder, locale,
            new VerificationReminderModel("taro", "https://salesmind.example/api/auth/verify-email/?token=new", "654321", "tomorrow", "next week", "SalesMind"));

        Assert.Equal(subject, email.Subject);
        Assert.Contains("https://salesmind.example/api/auth/verify-email/?token=new", email.Text);
        Assert.Contains("next week", email.Text);
        Assert.Contains("next week", email.Html);
        Assert.Contains("654321", email.Text);
        Assert.Contains(">654321</p>", email.Html);
        Assert.DoesNotContain("654321", email.Subject);
    }

    [Fact]
    public async Task User_data_is_escaped_in_html_and_kept_as_typed_in_text()
    {
        var email = await Renderer.RenderAsync(TemplateKeys.EmailVerification, "en", Verification("<script>alert(1)</script>"));

        Assert.DoesNotContain("<script>", email.Html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", email.Html);
        Assert.Contains("Hello <script>alert(1)</script>,", email.Text);
    }

    [Theory]
    [InlineData("ja", "SalesMind へようこそ")]
    [InlineData("en", "Welcome to SalesMind")]
    public async Task The_welcome_email_renders_in_both_languages(string locale, string subject)
    {
        var email = await Renderer.RenderAsync(TemplateKeys.Welcome, locale, new WelcomeModel("taro", "https://salesmind.example/login.html", "SalesMind"));

        Assert.Equal(subject, email.Subject);
        Assert.Contains("taro", email.Text);
        Assert.Contains("href=\"https://salesmind.example/login.html\"", email.Html);
    }

    [Fact]
    public async Task Every_shipped_part_passes_the_same_checks_as_an_admin_edit()
    {
        foreach (var template in TemplateCatalog.BuiltIn)
        {
            foreach (var locale in TemplateCatalog.Locales)
            {
                var email = await Renderer.RenderAsync(template.Key, locale, template.Sample);
                Assert.False(string.IsNullOrWhiteSpace(email.Subject), $"{template.Key}/{locale} has an empty subject");
                Assert.Contains(template.Variables.First(v => v.Name == "Username").Sample, email.Text);
            }
        }
    }

    [Fact]
    public async Task An_unknown_locale_falls_back_to_Japanese()
    {
        var email = await Renderer.RenderAsync(TemplateKeys.EmailVerification, "fr", Verification());

        Assert.Equal("SalesMind メールアドレスの確認をお願いします", email.Subject);
    }
}
