using System.ComponentModel.DataAnnotations;

namespace SalesMind.Notifier.Ledger;

/// <summary>Where delivery reports come back, and which failures suppress an address (section <c>Bounces</c>).</summary>
public sealed class BounceOptions
{
    public const string Section = "Bounces";

    /// <summary>
    /// The domain of every message's return path, <c>bounces+&lt;delivery id&gt;.&lt;signature&gt;@Domain</c>. The
    /// mail server routes it to <see cref="ListenPort"/>; elsewhere it needs an MX pointing there.
    /// </summary>
    [Required, RegularExpression(@"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$",
        ErrorMessage = "Bounces:Domain must be a domain name, e.g. bounces.example.com.")]
    public string Domain { get; set; } = "bounces.salesmind.test";

    /// <summary>
    /// The local part of the address DMARC aggregate reports are sent to, at <see cref="Domain"/>
    /// (publish <c>rua=mailto:dmarc@Domain</c> in the sender domain's DMARC record). Not
    /// <c>bounces</c>: that name belongs to the return paths.
    /// </summary>
    [Required, RegularExpression(@"^(?!bounces(\+|$))[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$",
        ErrorMessage = "Bounces:DmarcReportAddress must be a local part such as dmarc (lower-case letters, digits, . _ -; not bounces).")]
    public string DmarcReportAddress { get; set; } = "dmarc";

    /// <summary>The whole address DMARC aggregate reports arrive at: <c>DmarcReportAddress@Domain</c>.</summary>
    public string DmarcReportMailbox => $"{DmarcReportAddress}@{Domain}";

    /// <summary>The port of the SMTP listener that takes delivery reports; 0 turns it off.</summary>
    [Range(0, 65535)]
    public int ListenPort { get; set; }

    /// <summary>The address it listens on (the mail server must reach it).</summary>
    [Required]
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// How long a suppressed address (a hard bounce, or repeated soft ones) is not sent to; zero
    /// turns suppression off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "3650.00:00:00")]
    public TimeSpan SuppressFor { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// The local part of the address at <see cref="Domain"/> that takes complaints (feedback-loop
    /// reports, RFC 5965): register <c>ComplaintAddress@Domain</c> with the mailbox providers'
    /// feedback loops. Complaints sent to a delivery's signed return path count too.
    /// </summary>
    [Required, MaxLength(64),
     RegularExpression(@"(?i)^(?!bounces\+)[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$",
        ErrorMessage = "Bounces:ComplaintAddress must be the local part of an address (e.g. abuse), not a whole address and not starting with bounces+.")]
    public string ComplaintAddress { get; set; } = "abuse";

    /// <summary>How long an address whose owner reported an email as spam is not sent to (0: not suppressed).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "36500.00:00:00")]
    public TimeSpan ComplaintSuppressFor { get; set; } = TimeSpan.FromDays(3650);

    /// <summary>
    /// Soft failures (mailbox full, other temporary trouble of the mailbox) that suppress an
    /// address: this many deliveries to it ending bounced, failed or abandoned with the class
    /// <c>soft</c> within <see cref="SoftBounceWindow"/>. 0: soft failures never suppress.
    /// Throttled and auth failures never count (they are the sender's problem).
    /// </summary>
    [Range(0, 100, ErrorMessage = "Bounces:SoftBouncesBeforeSuppression must be between 0 (never) and 100.")]
    public int SoftBouncesBeforeSuppression { get; set; } = 3;

    /// <summary>The time in which <see cref="SoftBouncesBeforeSuppression"/> soft failures suppress the address.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00", ErrorMessage = "Bounces:SoftBounceWindow must be between 00:01:00 and 365.00:00:00.")]
    public TimeSpan SoftBounceWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Follow the mail server's log (Smtp:MailLogPath) for local deliveries and as a second source of bounces.</summary>
    public bool FollowMailLog { get; set; } = true;

    /// <summary>
    /// The key return paths are signed with (HMAC-SHA256): a report counts only when it was sent
    /// to an address signed with it. At least 32 characters; a secret (refused outside
    /// Development while missing or a placeholder). Changing it makes reports for emails sent
    /// before the change count as rejected.
    /// </summary>
    [Required(ErrorMessage = "Bounces:SigningKey is required (env Bounces__SigningKey): the key delivery return paths are signed with."),
     MinLength(32, ErrorMessage = "Bounces:SigningKey must be at least 32 characters.")]
    public string SigningKey { get; set; } = "";

    /// <summary>The return path of a delivery: <c>bounces+&lt;id&gt;.&lt;signature&gt;@Domain</c>.</summary>
    public string ReturnPath(Guid deliveryId) => SignedReturnPath.For(deliveryId, SigningKey, Domain);

    /// <summary>Whether <paramref name="address"/> is a return path of ours, and the delivery it names when signed.</summary>
    public ReturnPathCheck Check(string address, out Guid deliveryId) => SignedReturnPath.Check(address, SigningKey, Domain, out deliveryId);
}
