namespace SalesMind.Notifier.Rendering;

/// <summary>A template key (built in, or added by an admin) and what is chosen for it.</summary>
public sealed class EmailTemplate
{
    /// <summary>e.g. <c>email-verification</c>; lower case, digits and dashes.</summary>
    public required string Key { get; set; }

    /// <summary>Shipped with the Notifier (its model is fixed; it cannot be deleted).</summary>
    public bool BuiltIn { get; set; }

    public required string Description { get; set; }

    /// <summary>The sender its emails come from; null means the default sender.</summary>
    public Guid? SenderId { get; set; }

    /// <summary>A custom template's variables as JSON (<see cref="TemplateVariable"/>[]); null for built-in ones.</summary>
    public string? VariablesJson { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// One saved version of one locale of a template. Never changed after it is written, except
/// which version is active (exactly one per template and locale, enforced by a unique index).
/// </summary>
public sealed class TemplateVersion
{
    public long Id { get; set; }

    public required string TemplateKey { get; set; }

    public required string Locale { get; set; }

    /// <summary>1, 2, 3… per template and locale.</summary>
    public int Version { get; set; }

    public required string Subject { get; set; }

    public required string Html { get; set; }

    public required string Text { get; set; }

    /// <summary>What changed, in the author's words.</summary>
    public string? Note { get; set; }

    public bool IsActive { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The admin who saved it (<c>system</c> for the shipped first version).</summary>
    public required string CreatedBy { get; set; }

    public DateTimeOffset? ActivatedAt { get; set; }
}
