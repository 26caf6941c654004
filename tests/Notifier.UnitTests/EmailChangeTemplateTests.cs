using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.UnitTests;

/// <summary>The three address-change emails: both languages, their links and code, and what stored copies show.</summary>
public sealed class EmailChangeTemplateTests
{
    private static RenderedEmail Render(string key, string locale, object model)
    {
        var template = TemplateCatalog.Find(key)!;
        var parts = TemplateStore.Parse(
            TemplateCatalog.ShippedSource(template, locale, "subject"),
            TemplateCatalog.ShippedSource(template, locale, "html"),
            TemplateCatalog.ShippedSource(template, locale, "text"),
            template.Variables.Select(v => v.Name).ToList());
        return TemplateStore.Render(parts, TemplateCatalog.ValuesOf(model));
    }

    private static EmailChangeConfirmModel Confirm() => new(
        "hanako", "hanako.new@example.com", "https://salesmind.example/change_email.html?token=abc", "042917", "soon", "SalesMind");

    [Theory]
    [InlineData("ja", "SalesMind メールアドレス変更の確認")]
    [InlineData("en", "Confirm your new SalesMind email address")]
    public void The_confirmation_carries_the_link_and_the_code_but_not_in_the_subject(string locale, string subject)
    {
        var email = Render(TemplateKeys.EmailChangeConfirm, locale, Confirm());

        Assert.Equal(subject, email.Subject);
        Assert.Contains("href=\"https://salesmind.example/change_email.html?token=abc\"", email.Html);
        Assert.Contains("042917", email.Html);
        Assert.Contains("042917", email.Text);
        Assert.Contains("https://salesmind.example/change_email.html?token=abc", email.Text);
        Assert.Contains("hanako.new@example.com", email.Text);
    }

    [Theory]
    [InlineData("ja", "変更を取り消す")]
    [InlineData("en", "Undo this change")]
    public void The_notice_to_the_old_address_names_the_new_one_and_carries_the_undo_link(string locale, string button)
    {
        var email = Render(TemplateKeys.EmailChanged, locale, new EmailChangedModel(
            "hanako", "hanako.new@example.com", "https://salesmind.example/change_email.html?undo_token=xyz", "later", "now", "SalesMind"));

        Assert.Contains(button, email.Html);
        Assert.Contains("href=\"https://salesmind.example/change_email.html?undo_token=xyz\"", email.Html);
        Assert.Contains("hanako.new@example.com", email.Text);
        Assert.Contains("https://salesmind.example/change_email.html?undo_token=xyz", email.Text);
    }

    [Theory]
    [InlineData("ja")]
    [InlineData("en")]
    public void The_attempt_notice_has_no_secret_and_names_the_account(string locale)
    {
        var email = Render(TemplateKeys.EmailChangeAttempted, locale,
            new EmailChangeAttemptedModel("hanako", "https://salesmind.example/login.html", "now", "SalesMind"));

        Assert.Contains("hanako", email.Text);
        Assert.Contains("href=\"https://salesmind.example/login.html\"", email.Html);
        Assert.Empty(TemplateCatalog.SecretLinksOf(typeof(EmailChangeAttemptedModel)));
    }

    [Fact]
    public void The_code_and_both_links_are_secrets_and_stored_copies_show_none_of_them()
    {
        Assert.Equal(["ConfirmUrl"], TemplateCatalog.SecretLinksOf(typeof(EmailChangeConfirmModel)));
        Assert.Equal(["Code"], TemplateCatalog.SecretCodesOf(typeof(EmailChangeConfirmModel)));
        Assert.Equal(["UndoUrl"], TemplateCatalog.SecretLinksOf(typeof(EmailChangedModel)));

        var shown = TemplateCatalog.Redacted(typeof(EmailChangeConfirmModel), TemplateCatalog.ValuesOf(Confirm()))!;

        Assert.Equal("https://salesmind.example/change_email.html?token=[redacted]", shown["ConfirmUrl"]);
        Assert.Equal(SalesMind.Outbox.SecretRedaction.Marker, shown["Code"]);
    }
}
