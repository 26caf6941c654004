using System.ComponentModel.DataAnnotations;

namespace SalesMind.Notifier.Smtp;

/// <summary>The mail server deliveries are handed to (section <c>Smtp</c>).</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    [Required]
    public string Host { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public int Port { get; set; } = 25;

    /// <summary>Connections kept open to the server; also the number of emails in flight.</summary>
    [Range(1, 64)]
    public int MaxConnections { get; set; } = 16;

    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Postfix's log file, readable by the Notifier. With it, a delivery whose fate is in doubt
    /// after a crash is checked against what Postfix accepted before it is sent again; without
    /// it such a delivery is sent again (at least once, possibly twice).
    /// </summary>
    public string? MailLogPath { get; set; }
}

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
