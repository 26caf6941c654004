using System.ComponentModel;

namespace SalesMind.Notifier.Rendering;

/// <summary>The model of <c>welcome</c>: sent once the address is confirmed.</summary>
public sealed record WelcomeModel(
    [property: Description("The user's name.")] string Username,
    [property: Description("Where the user logs in.")] string LoginUrl,
    [property: Description("The product's name.")] string SiteName);
