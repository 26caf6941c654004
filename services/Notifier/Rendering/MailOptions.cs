using System.ComponentModel.DataAnnotations;

namespace SalesMind.Notifier.Rendering;

/// <summary>Who emails come from (section <c>Mail</c>).</summary>
public sealed class MailOptions
{
    public const string Section = "Mail";

    [Required, EmailAddress]
    public string FromAddress { get; set; } = "no-reply@salesmind.test";

    [Required]
    public string FromName { get; set; } = "SalesMind";

    /// <summary>The product name used in templates.</summary>
    [Required]
    public string SiteName { get; set; } = "SalesMind";

    public string MessageIdDomain => FromAddress[(FromAddress.LastIndexOf('@') + 1)..];
}
