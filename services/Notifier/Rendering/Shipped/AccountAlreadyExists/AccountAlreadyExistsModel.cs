using System.ComponentModel;

namespace SalesMind.Notifier.Rendering;

/// <summary>The model of <c>account-already-exists</c>: someone signed up with an address that has an account.</summary>
public sealed record AccountAlreadyExistsModel(
    [property: Description("The existing account's name.")] string Username,
    [property: Description("Where the owner logs in.")] string LoginUrl,
    [property: Description("When the sign-up was attempted, written for the reader's locale.")] string AttemptedAt,
    [property: Description("The product's name.")] string SiteName);
