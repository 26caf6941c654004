using System.ComponentModel;

namespace SalesMind.Notifier.Rendering;

/// <summary>The model of <c>password-reset</c>: the link to set a new password.</summary>
public sealed record PasswordResetModel(
    [property: Description("The account's name.")] string Username,
    [property: SecretLink, Description("The single-use link to set a new password.")] string ResetUrl,
    [property: Description("When the link stops working, written for the reader's locale.")] string ExpiresAt,
    [property: Description("The product's name.")] string SiteName);
