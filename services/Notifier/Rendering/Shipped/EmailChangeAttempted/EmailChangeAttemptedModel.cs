using System.ComponentModel;

namespace SalesMind.Notifier.Rendering;

/// <summary>The model of <c>email-change-attempted</c>: another account asked to move to an address that has an account.</summary>
public sealed record EmailChangeAttemptedModel(
    [property: Description("The existing account's name.")] string Username,
    [property: Description("Where the owner logs in.")] string LoginUrl,
    [property: Description("When the attempt was made, written for the reader's locale.")] string AttemptedAt,
    [property: Description("The product's name.")] string SiteName);
