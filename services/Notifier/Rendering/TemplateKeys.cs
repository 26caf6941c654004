namespace SalesMind.Notifier.Rendering;

/// <summary>
/// The template keys shipped with the Notifier. Each one's typed model is beside its parts, in
/// <c>Rendering/Shipped/&lt;Name&gt;/</c>, in this namespace like the rest of Rendering.
/// </summary>
public static class TemplateKeys
{
    public const string EmailVerification = "email-verification";
    public const string AccountAlreadyExists = "account-already-exists";
    public const string PasswordReset = "password-reset";
    public const string VerificationReminder = "verification-reminder";
    public const string Welcome = "welcome";
    public const string PasswordChanged = "password-changed";
    public const string EmailChangeConfirm = "email-change-confirm";
    public const string EmailChanged = "email-changed";
    public const string EmailChangeAttempted = "email-change-attempted";
}
