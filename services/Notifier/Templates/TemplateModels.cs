namespace SalesMind.Notifier.Templates;

/// <summary>The model of <c>email-verification</c>: the first email after sign-up.</summary>
/// <param name="Username">The new user's name (escaped in HTML).</param>
/// <param name="VerificationUrl">The single-use verification link.</param>
/// <param name="ExpiresAt">When the link stops working, written for the reader's locale.</param>
/// <param name="SiteName">The product's name.</param>
public sealed record EmailVerificationModel(string Username, string VerificationUrl, string ExpiresAt, string SiteName);

/// <summary>The model of <c>account-already-exists</c>: someone signed up with an address that has an account.</summary>
/// <param name="Username">The existing account's name.</param>
/// <param name="LoginUrl">Where the owner logs in.</param>
/// <param name="AttemptedAt">When it happened, written for the reader's locale.</param>
/// <param name="SiteName">The product's name.</param>
public sealed record AccountAlreadyExistsModel(string Username, string LoginUrl, string AttemptedAt, string SiteName);

/// <summary>The model of <c>password-reset</c>: the link to set a new password.</summary>
/// <param name="Username">The account's name.</param>
/// <param name="ResetUrl">The single-use link.</param>
/// <param name="ExpiresAt">When the link stops working, written for the reader's locale.</param>
/// <param name="SiteName">The product's name.</param>
public sealed record PasswordResetModel(string Username, string ResetUrl, string ExpiresAt, string SiteName);

/// <summary>The model of <c>verification-reminder</c>: a fresh link a day after an unverified sign-up.</summary>
/// <param name="Username">The new user's name.</param>
/// <param name="VerificationUrl">The fresh single-use link.</param>
/// <param name="ExpiresAt">When the link stops working, written for the reader's locale.</param>
/// <param name="DeletionAt">When the unverified account is deleted, written for the reader's locale.</param>
/// <param name="SiteName">The product's name.</param>
public sealed record VerificationReminderModel(string Username, string VerificationUrl, string ExpiresAt, string DeletionAt, string SiteName);

/// <summary>The template keys shipped with the Notifier.</summary>
public static class TemplateKeys
{
    public const string EmailVerification = "email-verification";
    public const string AccountAlreadyExists = "account-already-exists";
    public const string PasswordReset = "password-reset";
    public const string VerificationReminder = "verification-reminder";
}

/// <summary>Example models, one per template: for warming the renderer up (and for previews).</summary>
public static class TemplateSamples
{
    public static readonly IReadOnlyDictionary<string, object> Models = new Dictionary<string, object>
    {
        [TemplateKeys.EmailVerification] = new EmailVerificationModel(
            "hanako", "https://salesmind.example/api/auth/verify-email/?token=sample", "2026年1月1日 09:00 (日本時間)", "SalesMind"),
        [TemplateKeys.AccountAlreadyExists] = new AccountAlreadyExistsModel(
            "hanako", "https://salesmind.example/login.html", "2026年1月1日 09:00 (日本時間)", "SalesMind"),
        [TemplateKeys.VerificationReminder] = new VerificationReminderModel(
            "hanako", "https://salesmind.example/api/auth/verify-email/?token=sample", "2026年1月2日 09:00 (日本時間)", "2026年1月7日 09:00 (日本時間)", "SalesMind"),
        [TemplateKeys.PasswordReset] = new PasswordResetModel(
            "hanako", "https://salesmind.example/reset_password.html?token=sample", "2026年1月1日 09:00 (日本時間)", "SalesMind"),
    };
}
