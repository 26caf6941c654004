using System.ComponentModel;

namespace SalesMind.Notifier.Rendering;

/// <summary>
/// The model of <c>password-changed</c>: the owner changed the password while signed in. No
/// secret link: the way back for someone who did not make the change is the public reset page.
/// </summary>
public sealed record PasswordChangedModel(
    [property: Description("The account's name.")] string Username,
    [property: Description("When the password was changed, written for the reader's locale.")] string ChangedAt,
    [property: Description("The browser and system it was changed from, e.g. Chrome on Windows.")] string Device,
    [property: Description("The page that sends a reset link (no token in it).")] string ForgotPasswordUrl,
    [property: Description("The product's name.")] string SiteName);
