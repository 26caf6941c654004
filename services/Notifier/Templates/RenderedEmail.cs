namespace SalesMind.Notifier.Templates;

public sealed record RenderedEmail(string Subject, string Html, string Text);
