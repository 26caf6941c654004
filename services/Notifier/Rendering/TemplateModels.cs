using System.ComponentModel;

namespace SalesMind.Notifier.Rendering;

/// <summary>
/// The one mark of a model field that holds a live account link (its token acts on the
/// account). Stored copies, the API and previews show it redacted; the working link is kept only
/// sealed (see <c>Ledger/BodySealer</c>) until the email is handed to the mail server.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SecretLinkAttribute : Attribute;

/// <summary>The model of <c>email-verification</c>: the first email after sign-up.</summary>
public sealed record EmailVerificationModel(
    [property: Description("The new user's name.")] string Username,
    [property: SecretLink, Description("The single-use link that confirms the address.")] string VerificationUrl,
    [property: Description("When the link stops working, written for the reader's locale.")] string ExpiresAt,
    [property: Description("The product's name.")] string SiteName);

/// <summary>The model of <c>account-already-exists</c>: someone signed up with an address that has an account.</summary>
public sealed record AccountAlreadyExistsModel(
    [property: Description("The existing account's name.")] string Username,
    [property: Description("Where the owner logs in.")] string LoginUrl,
    [property: Description("When the sign-up was attempted, written for the reader's locale.")] string AttemptedAt,
    [property: Description("The product's name.")] string SiteName);

/// <summary>The model of <c>password-reset</c>: the link to set a new password.</summary>
public sealed record PasswordResetModel(
    [property: Description("The account's name.")] string Username,
    [property: SecretLink, Description("The single-use link to set a new password.")] string ResetUrl,
    [property: Description("When the link stops working, written for the reader's locale.")] string ExpiresAt,
    [property: Description("The product's name.")] string SiteName);

/// <summary>The model of <c>verification-reminder</c>: a fresh link a day after an unverified sign-up.</summary>
public sealed record VerificationReminderModel(
    [property: Description("The new user's name.")] string Username,
    [property: SecretLink, Description("The fresh single-use link that confirms the address.")] string VerificationUrl,
    [property: Description("When the link stops working, written for the reader's locale.")] string ExpiresAt,
    [property: Description("When the unverified account is deleted, written for the reader's locale.")] string DeletionAt,
    [property: Description("The product's name.")] string SiteName);

/// <summary>The model of <c>welcome</c>: sent once the address is confirmed.</summary>
public sealed record WelcomeModel(
    [property: Description("The user's name.")] string Username,
    [property: Description("Where the user logs in.")] string LoginUrl,
    [property: Description("The product's name.")] string SiteName);

/// <summary>The template keys shipped with the Notifier.</summary>
public static class TemplateKeys
{
    public const string EmailVerification = "email-verification";
    public const string AccountAlreadyExists = "account-already-exists";
    public const string PasswordReset = "password-reset";
    public const string VerificationReminder = "verification-reminder";
    public const string Welcome = "welcome";
}
