using System.ComponentModel;

namespace SalesMind.Notifier.Rendering;

/// <summary>The model of <c>email-verification</c>: the first email after sign-up.</summary>
public sealed record EmailVerificationModel(
    [property: Description("The new user's name.")] string Username,
    [property: SecretLink, Description("The single-use link that confirms the address.")] string VerificationUrl,
    [property: SecretCode, Description("The 6-digit code that confirms the address like the link does (typed on the check-email page).")] string VerificationCode,
    [property: Description("When the link stops working, written for the reader's locale.")] string ExpiresAt,
    [property: Description("The product's name.")] string SiteName);
