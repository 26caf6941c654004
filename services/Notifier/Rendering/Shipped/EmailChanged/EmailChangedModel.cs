using System.ComponentModel;

namespace SalesMind.Notifier.Rendering;

/// <summary>
/// The model of <c>email-changed</c>: to the OLD address once a change is confirmed, with the
/// link that undoes it (puts this address back and signs the account out everywhere).
/// </summary>
public sealed record EmailChangedModel(
    [property: Description("The account's name.")] string Username,
    [property: Description("The address the account uses from now on.")] string NewEmail,
    [property: SecretLink, Description("The single-use link that undoes the change.")] string UndoUrl,
    [property: Description("When the undo link stops working, written for the reader's locale.")] string UndoExpiresAt,
    [property: Description("When the change was made, written for the reader's locale.")] string ChangedAt,
    [property: Description("The product's name.")] string SiteName);
