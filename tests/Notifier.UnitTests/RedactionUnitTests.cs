using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.UnitTests;

/// <summary>The pure logic behind the redaction and the parser's limits: no services needed.</summary>
public sealed class RedactionUnitTests
{
    private static readonly string[] Variables = ["Username", "VerificationUrl", "SiteName"];

    private static BodySealer Sealer(string? key = null) =>
        new(Options.Create(new BodyEncryptionOptions { BodyEncryptionKey = key ?? Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }));

    [Fact]
    public void The_secret_links_are_marked_on_the_models_and_redacted_in_what_is_shown()
    {
        Assert.Equal(["VerificationUrl"], TemplateCatalog.SecretLinksOf(typeof(EmailVerificationModel)));
        Assert.Equal(["VerificationUrl"], TemplateCatalog.SecretLinksOf(typeof(VerificationReminderModel)));
        Assert.Equal(["ResetUrl"], TemplateCatalog.SecretLinksOf(typeof(PasswordResetModel)));
        Assert.Empty(TemplateCatalog.SecretLinksOf(typeof(WelcomeModel)));
        Assert.Null(TemplateCatalog.Redacted(typeof(WelcomeModel), TemplateCatalog.ValuesOf(new WelcomeModel("a", "https://x.test/login.html", "S"))));

        var values = TemplateCatalog.ValuesOf(new PasswordResetModel("hanako", "https://x.test/reset_password.html?token=s3cr3t-t0k3n", "soon", "S"));
        var shown = TemplateCatalog.Redacted(typeof(PasswordResetModel), values)!;
        Assert.Equal("https://x.test/reset_password.html?token=[redacted]", shown["ResetUrl"]);
        Assert.Equal("hanako", shown["Username"]);
    }

    [Fact]
    public void A_sealed_body_opens_only_for_its_own_delivery_and_key()
    {
        var sealer = Sealer();
        var id = Guid.NewGuid();
        var email = new RenderedEmail("Reset", "<a href=\"https://x.test/?token=t\">reset</a>", "https://x.test/?token=t\n");

        var sealedBody = sealer.Seal(id, email);

        Assert.Equal(email, sealer.Open(id, sealedBody));
        Assert.DoesNotContain("token=t", System.Text.Encoding.UTF8.GetString(sealedBody));
        // Copied onto another delivery's row, altered, or opened with another key: it does not open.
        Assert.ThrowsAny<CryptographicException>(() => sealer.Open(Guid.NewGuid(), sealedBody));
        var altered = (byte[])sealedBody.Clone();
        altered[^1] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => sealer.Open(id, altered));
        Assert.ThrowsAny<CryptographicException>(() => Sealer().Open(id, sealedBody));
    }

    [Theory]
    [InlineData("")]
    [InlineData("c2hvcnQ=")]
    [InlineData("change-me-run-openssl-rand-base64-32")]
    public void A_missing_short_or_placeholder_key_is_refused(string key) =>
        Assert.False(BodyEncryptionOptions.IsValidKey(key));

    [Fact]
    public void A_template_full_of_mistakes_reports_the_first_ones_and_counts_the_rest()
    {
        var (template, problems) = TemplateSyntax.Parse(string.Concat(Enumerable.Repeat("@ ", 5_000)), Variables);

        Assert.Null(template);
        Assert.Equal(TemplateSyntax.MaxProblems + 1, problems.Count);
        Assert.All(problems.Take(TemplateSyntax.MaxProblems), p => Assert.Contains("a lone '@'", p.Message));
        Assert.Equal((1, 2 * TemplateSyntax.MaxProblems + 1), (problems[^1].Line, problems[^1].Column));
        Assert.StartsWith($"and {5_000 - TemplateSyntax.MaxProblems} more problems", problems[^1].Message);
    }

    [Fact]
    public void Positions_stay_right_across_lines()
    {
        var (_, problems) = TemplateSyntax.Parse("Hello\n  @ and\r\n@Model.Nope\n@{ x }", Variables);

        Assert.Equal([(2, 3), (3, 2), (4, 1)], problems.Select(p => (p.Line, p.Column)).ToList());
    }

    [Fact]
    public void Parsing_time_grows_linearly_with_the_number_of_mistakes()
    {
        // 10× the input may take about 10× the time; the old parser took ~100× (quadratic).
        // Each size is timed several times and the fastest run kept, so a busy machine's pauses
        // do not count; the bound (30×) leaves room for noise between linear and quadratic.
        var small = string.Concat(Enumerable.Repeat("@ ", 5_000));
        var large = string.Concat(Enumerable.Repeat("@ ", 50_000));
        TemplateSyntax.Parse(large, Variables);

        static double Fastest(string source)
        {
            var best = double.MaxValue;
            for (var i = 0; i < 7; i++)
            {
                var clock = Stopwatch.StartNew();
                TemplateSyntax.Parse(source, Variables);
                best = Math.Min(best, clock.Elapsed.TotalMilliseconds);
            }

            return best;
        }

        var ratio = Fastest(large) / Math.Max(Fastest(small), 0.05);
        Assert.True(ratio < 30, $"100 KB took {ratio:0.0}× as long as 10 KB");
    }
}
