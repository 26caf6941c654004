using System.ComponentModel.DataAnnotations;

namespace SalesMind.Notifier.Sending;

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
}
