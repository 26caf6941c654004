using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Admin;

/// <summary>What the template API takes and answers, its limits, and the examples its reference shows.</summary>
public static partial class TemplateEndpoints
{
    public const int MaxSubjectChars = 500;
    public const int MaxHtmlChars = 100_000;
    public const int MaxTextChars = 50_000;
    public const int MaxValueChars = 2_000;

    /// <summary>The audit action of a test send: the audit log is also what limits them.</summary>
    public const string TestSentAction = "template.test-sent";

    public sealed record TemplateParts(string? Subject, string? Html, string? Text);

    public sealed record CreateTemplateRequest(
        string? Key, string? Description, List<TemplateVariable>? Variables, Guid? SenderId, Dictionary<string, TemplateParts>? Locales);

    public sealed record UpdateTemplateRequest(string? Description, Guid? SenderId, List<TemplateVariable>? Variables);

    public sealed record NewVersionRequest(string? Locale, string? Subject, string? Html, string? Text, string? Note, bool Activate = false);

    public sealed record PreviewRequest(string? Locale, int? Version, TemplateParts? Draft, Dictionary<string, string>? Data);

    public sealed record TestSendRequest(string? To, string? Locale, int? Version, TemplateParts? Draft, Dictionary<string, string>? Data);

    public sealed record LocaleSummary(string Locale, int? ActiveVersion, int LatestVersion, DateTimeOffset? UpdatedAt);

    public sealed record TemplateSummary(string Key, bool BuiltIn, string Description, Guid? SenderId, List<LocaleSummary> Locales);

    public sealed record VersionSummary(long Id, string Locale, int Version, bool Active, string? Note, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? ActivatedAt);

    public sealed record VersionView(
        long Id, string Locale, int Version, bool Active, string Subject, string Html, string Text, string? Note,
        DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? ActivatedAt);

    public sealed record TemplateDetail(
        string Key, bool BuiltIn, string Description, Guid? SenderId, IReadOnlyList<TemplateVariable> Variables,
        List<LocaleSummary> Locales, List<VersionView> Active);

    public sealed record PreviewResponse(string Locale, int? Version, string Subject, string Html, string Text, MailFrom From);

    public sealed record TestSendResponse(Guid DeliveryId, string Status, string StatusUrl);

    /// <summary>The examples the API reference shows.</summary>
    private static class Examples
    {
        public const string Subject = "Welcome to @Model.SiteName";
        public const string Html = "<p>Hello @Model.Username,</p>\n<p><a href=\"@Model.LoginUrl\">Log in</a></p>";
        public const string Text = "Hello @Model.Username,\nLog in: @Model.LoginUrl";
        public static readonly Guid SenderId = Guid.Parse("0193f4a2-7c1e-7d40-9a51-3c2b1f0e9d88");
        public static readonly Guid DeliveryId = Guid.Parse("0193f4a2-9b3d-7e10-8c42-5d6e7f8a9b0c");
        private static readonly DateTimeOffset At = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

        public static readonly TemplateSummary Summary = new("welcome", true, "Once the address is confirmed: welcome, and where to log in.", null,
            [new LocaleSummary("ja", 1, 1, At), new LocaleSummary("en", 2, 2, At)]);

        public static readonly IReadOnlyList<TemplateVariable> Variables = TemplateCatalog.Find(TemplateKeys.Welcome)!.Variables;

        public static readonly VersionView Version = new(42, "en", 2, true, Subject, Html, Text, "Friendlier greeting", At, "admin", At);

        public static readonly TemplateDetail Detail = new("welcome", true, Summary.Description, null, Variables, Summary.Locales, [Version]);

        public static readonly CreateTemplateRequest Create = new("trial-ending", "Sent three days before a trial ends.",
            [new TemplateVariable("Username", "The user's name.", "hanako"), new TemplateVariable("TrialEndsAt", "When the trial ends.", "1 May")],
            null, new() { ["en"] = new TemplateParts("Your trial ends @Model.TrialEndsAt", "<p>@Model.Username, your trial ends @Model.TrialEndsAt.</p>", "@Model.Username, your trial ends @Model.TrialEndsAt.") });

        public static readonly TemplateDetail CustomDetail = new("trial-ending", false, Create.Description!, null,
            [.. Create.Variables!, new TemplateVariable("SiteName", "The product's name.", "SalesMind")], [new LocaleSummary("en", 1, 1, At)],
            [new VersionView(43, "en", 1, true, Create.Locales!["en"].Subject!, Create.Locales["en"].Html!, Create.Locales["en"].Text!, "First version", At, "admin", At)]);

        public static readonly PreviewResponse Preview = new("en", null, "Welcome to SalesMind", "<p>Hello Taro,</p>\n<p><a href=\"https://salesmind.example/login.html\">Log in</a></p>",
            "Hello Taro,\nLog in: https://salesmind.example/login.html\n", new MailFrom("no-reply@salesmind.example", "SalesMind", null));

        public static VersionSummary VersionSummary(int version, bool active) => new(40 + version, "en", version, active, version == 1 ? "Shipped with the Notifier" : "Friendlier greeting", At, version == 1 ? "system" : "admin", active ? At : null);
    }
}
