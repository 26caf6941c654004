namespace SalesMind.Notifier.Rendering;

/// <summary>
/// The one mark of a model field that holds a live account link (its token acts on the
/// account). Stored copies, the API and previews show it redacted; the working link is kept only
/// sealed (see <c>Ledger/BodySealer</c>) until the email is handed to the mail server.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SecretLinkAttribute : Attribute;
