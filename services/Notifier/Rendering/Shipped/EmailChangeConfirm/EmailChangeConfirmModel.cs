using System.ComponentModel;

namespace SalesMind.Notifier.Rendering;

/// <summary>
/// The model of <c>email-change-confirm</c>: to the NEW address of an account, the link and the
/// 6-digit code that confirm the change. The code is as much a secret as the link (typed on the
/// change page, it moves the account): stored copies show neither.
/// </summary>
public sealed record EmailChangeConfirmModel(
    [property: Description("The account's name.")] string Username,
    [property: Description("The new address being confirmed.")] string NewEmail,
    [property: SecretLink, Description("The single-use link that confirms the new address.")] string ConfirmUrl,
    [property: SecretCode, Description("The 6-digit code to type on the change page instead of opening the link.")] string Code,
    [property: Description("When the link and code stop working, written for the reader's locale.")] string ExpiresAt,
    [property: Description("The product's name.")] string SiteName);
