using System.ComponentModel.DataAnnotations;

namespace SalesMind.Identity;

/// <summary>Settings of the account flows (section <c>Identity</c>).</summary>
public sealed class AccountOptions
{
    public const string Section = "Identity";

    /// <summary>The address people reach the site at; emailed links start with it.</summary>
    [Required, Url]
    public string PublicBaseUrl { get; set; } = "";

    /// <summary>How long a verification link works.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "30.00:00:00")]
    public TimeSpan VerificationTokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>At most one "someone used your address" notice per account in this period.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan DuplicateSignupNoticeInterval { get; set; } = TimeSpan.FromHours(1);

    public string Url(string pathAndQuery) => PublicBaseUrl.TrimEnd('/') + pathAndQuery;
}
