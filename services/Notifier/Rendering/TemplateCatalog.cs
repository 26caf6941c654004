using System.Collections.Concurrent;
using System.ComponentModel;
using System.Reflection;

namespace SalesMind.Notifier.Rendering;

/// <summary>A variable a template may print: <c>@Model.Name</c>.</summary>
/// <param name="Name">As written after <c>Model.</c>, e.g. <c>Username</c>.</param>
/// <param name="Description">What it holds.</param>
/// <param name="Sample">The value previews and test sends use when none is given.</param>
public sealed record TemplateVariable(string Name, string Description, string Sample);

/// <summary>A template shipped with the Notifier: its key, its typed model and its first version's files.</summary>
public sealed record BuiltInTemplate(string Key, string Folder, string Description, Type ModelType, object Sample)
{
    public IReadOnlyList<TemplateVariable> Variables { get; } = TemplateCatalog.VariablesOf(ModelType, Sample);
}

/// <summary>The shipped templates, the locales every template has, and how a model becomes values.</summary>
public static class TemplateCatalog
{
    // First: the shipped templates below read their models' properties while this class initialises.
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    /// <summary>Locales every template is written in; the first is used when a user's locale has no version.</summary>
    public static readonly IReadOnlyList<string> Locales = ["ja", "en"];

    /// <summary>The parts of a template, in the order they are shown.</summary>
    public static readonly IReadOnlyList<string> Parts = ["subject", "html", "text"];

    public static readonly IReadOnlyList<BuiltInTemplate> BuiltIn =
    [
        new(TemplateKeys.EmailVerification, "EmailVerification", "The first email after sign-up, with the link that confirms the address.",
            typeof(EmailVerificationModel), new EmailVerificationModel(
                "hanako", "https://salesmind.example/api/auth/verify-email/?token=sample", "123456", "2026年1月1日 09:00 (日本時間)", "SalesMind")),
        new(TemplateKeys.VerificationReminder, "VerificationReminder", "A day after an unverified sign-up: a fresh link, and when the account will be deleted.",
            typeof(VerificationReminderModel), new VerificationReminderModel(
                "hanako", "https://salesmind.example/api/auth/verify-email/?token=sample", "123456", "2026年1月2日 09:00 (日本時間)", "2026年1月7日 09:00 (日本時間)", "SalesMind")),
        new(TemplateKeys.AccountAlreadyExists, "AccountAlreadyExists", "To the owner of an address someone tried to sign up with again.",
            typeof(AccountAlreadyExistsModel), new AccountAlreadyExistsModel(
                "hanako", "https://salesmind.example/login.html", "2026年1月1日 09:00 (日本時間)", "SalesMind")),
        new(TemplateKeys.Welcome, "Welcome", "Once the address is confirmed: welcome, and where to log in.",
            typeof(WelcomeModel), new WelcomeModel("hanako", "https://salesmind.example/login.html", "SalesMind")),
        new(TemplateKeys.PasswordReset, "PasswordReset", "The single-use link to set a new password.",
            typeof(PasswordResetModel), new PasswordResetModel(
                "hanako", "https://salesmind.example/reset_password.html?token=sample", "2026年1月1日 09:00 (日本時間)", "SalesMind")),
        new(TemplateKeys.PasswordChanged, "PasswordChanged", "After the owner changed the password while signed in: when, from which browser, and what to do if it was not them.",
            typeof(PasswordChangedModel), new PasswordChangedModel(
                "hanako", "2026年1月1日 09:00 (日本時間)", "Chrome on Windows", "https://salesmind.example/forgot_password.html", "SalesMind")),
        new(TemplateKeys.EmailChangeConfirm, "EmailChangeConfirm", "To the new address of an address change: the link and code that confirm it.",
            typeof(EmailChangeConfirmModel), new EmailChangeConfirmModel(
                "hanako", "hanako.new@example.com", "https://salesmind.example/change_email.html?token=sample", "123456", "2026年1月1日 09:00 (日本時間)", "SalesMind")),
        new(TemplateKeys.EmailChanged, "EmailChanged", "To the old address once a change is confirmed, with the link that undoes it.",
            typeof(EmailChangedModel), new EmailChangedModel(
                "hanako", "hanako.new@example.com", "https://salesmind.example/change_email.html?undo_token=sample", "2026年1月8日 09:00 (日本時間)",
                "2026年1月1日 09:00 (日本時間)", "SalesMind")),
        new(TemplateKeys.EmailChangeAttempted, "EmailChangeAttempted", "To the owner of an address another account tried to move to.",
            typeof(EmailChangeAttemptedModel), new EmailChangeAttemptedModel(
                "hanako", "https://salesmind.example/login.html", "2026年1月1日 09:00 (日本時間)", "SalesMind")),
    ];

    public static BuiltInTemplate? Find(string key) => BuiltIn.FirstOrDefault(t => t.Key == key);

    /// <summary>The values of a typed model, by property name.</summary>
    public static IReadOnlyDictionary<string, string> ValuesOf(object model) =>
        PropertiesOf(model.GetType()).ToDictionary(p => p.Name, p => p.GetValue(model)?.ToString() ?? "", StringComparer.Ordinal);

    /// <summary>The names of <paramref name="modelType"/>'s fields marked <see cref="SecretLinkAttribute"/>.</summary>
    public static IReadOnlyList<string> SecretLinksOf(Type modelType) =>
        PropertiesOf(modelType).Where(p => p.IsDefined(typeof(SecretLinkAttribute))).Select(p => p.Name).ToList();

    /// <summary>The names of <paramref name="modelType"/>'s fields marked <see cref="SecretCodeAttribute"/>.</summary>
    public static IReadOnlyList<string> SecretCodesOf(Type modelType) =>
        PropertiesOf(modelType).Where(p => p.IsDefined(typeof(SecretCodeAttribute))).Select(p => p.Name).ToList();

    /// <summary>
    /// <paramref name="values"/> with every secret link and code of <paramref name="modelType"/>
    /// redacted, or null when the model has none (the values are safe to store as they are).
    /// </summary>
    public static IReadOnlyDictionary<string, string>? Redacted(Type modelType, IReadOnlyDictionary<string, string> values)
    {
        bool Present(string name) => values.TryGetValue(name, out var v) && v.Length > 0;
        var links = SecretLinksOf(modelType).Where(Present).ToList();
        var codes = SecretCodesOf(modelType).Where(Present).ToList();
        if (links.Count + codes.Count == 0)
        {
            return null;
        }

        var redacted = new Dictionary<string, string>(values, StringComparer.Ordinal);
        foreach (var name in links)
        {
            redacted[name] = SalesMind.Outbox.SecretRedaction.RedactLink(values[name]);
        }

        foreach (var name in codes)
        {
            // A code has no shape to keep: the whole value goes.
            redacted[name] = SalesMind.Outbox.SecretRedaction.Marker;
        }

        return redacted;
    }

    internal static IReadOnlyList<TemplateVariable> VariablesOf(Type modelType, object sample) =>
        PropertiesOf(modelType)
            .Select(p => new TemplateVariable(p.Name, p.GetCustomAttribute<DescriptionAttribute>()?.Description ?? "", p.GetValue(sample)?.ToString() ?? ""))
            .ToList();

    /// <summary>The text of a shipped part: <c>Rendering/Shipped/&lt;Folder&gt;/&lt;locale&gt;.&lt;part&gt;.cshtml</c>.</summary>
    public static string ShippedSource(BuiltInTemplate template, string locale, string part)
    {
        var name = $"SalesMind.Notifier.Rendering.Shipped.{template.Folder}.{locale}.{part}.cshtml";
        using var stream = typeof(TemplateCatalog).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Template resource '{name}' is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static PropertyInfo[] PropertiesOf(Type type) =>
        Properties.GetOrAdd(type, t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.PropertyType == typeof(string)).ToArray());
}
