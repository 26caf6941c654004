namespace SalesMind.Notifier.Rendering;

/// <summary>
/// The mark of a model field that holds a one-time code (the 6 digits typed instead of opening
/// a link: it acts on the account like the link does). Treated as the link is: stored copies, the
/// API and previews show it redacted, the working value is kept only sealed (see
/// <c>Ledger/BodySealer</c>) until the email is handed to the mail server; and it may stand only
/// as text in the body (see <see cref="SecretLinkPlacement"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SecretCodeAttribute : Attribute;
