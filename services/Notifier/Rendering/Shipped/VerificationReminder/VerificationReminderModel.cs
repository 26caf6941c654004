using System.ComponentModel;

namespace SalesMind.Notifier.Rendering;

/// <summary>The model of <c>verification-reminder</c>: a fresh link a day after an unverified sign-up.</summary>
public sealed record VerificationReminderModel(
    [property: Description("The new user's name.")] string Username,
    [property: SecretLink, Description("The fresh single-use link that confirms the address.")] string VerificationUrl,
    [property: SecretCode, Description("The 6-digit code of the fresh link, typed on the check-email page instead of opening it.")] string VerificationCode,
    [property: Description("When the link stops working, written for the reader's locale.")] string ExpiresAt,
    [property: Description("When the unverified account is deleted, written for the reader's locale.")] string DeletionAt,
    [property: Description("The product's name.")] string SiteName);
