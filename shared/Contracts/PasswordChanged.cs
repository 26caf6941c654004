namespace SalesMind.Contracts;

/// <summary>
/// A signed-in owner changed their account's password. Their other sessions were ended; the
/// owner is told, so a change they did not make does not go unnoticed. Carries no secret.
/// </summary>
/// <param name="UserId">The account's id.</param>
/// <param name="Username">The account's username.</param>
/// <param name="Email">The account's address, where the notice goes.</param>
/// <param name="Locale"><c>ja</c> or <c>en</c>: the language of the account's emails.</param>
/// <param name="Device">The browser and system the change was made from, e.g. "Chrome on Windows" (empty when unknown).</param>
/// <param name="ForgotPasswordUrl">Where to ask for a reset link if the change was not the owner's (no token in it).</param>
/// <param name="ChangedAt">When the change was committed.</param>
public sealed record PasswordChanged(
    Guid UserId,
    string Username,
    string Email,
    string Locale,
    string Device,
    string ForgotPasswordUrl,
    DateTimeOffset ChangedAt);
