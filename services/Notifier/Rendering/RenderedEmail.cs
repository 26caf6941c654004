namespace SalesMind.Notifier.Rendering;

public sealed record RenderedEmail(string Subject, string Html, string Text);
