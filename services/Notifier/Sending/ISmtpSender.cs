using MimeKit;

namespace SalesMind.Notifier.Sending;

/// <summary>What the mail server said when it accepted a message.</summary>
/// <param name="Reply">The text after <c>250</c>, e.g. <c>2.0.0 Ok: queued as 4jcCcW4l6Pz1hsHJ</c>.</param>
/// <param name="QueueId">The server's queue id parsed from the reply, when it gave one.</param>
public sealed record SmtpAccepted(string Reply, string? QueueId);

/// <summary>The mail server refused the message. <see cref="IsPermanent"/>: 5xx, do not retry.</summary>
public sealed class SmtpRejectedException(int code, string reply, bool isPermanent, Exception? inner = null)
    : Exception($"{code} {reply}", inner)
{
    public int Code { get; } = code;

    public string Reply { get; } = reply;

    public bool IsPermanent { get; } = isPermanent;
}

/// <summary>
/// The connection broke after the message body was (partly) sent: the server may or may not have
/// accepted it. Not retried; the delivery is settled from the mail server's log.
/// </summary>
public sealed class SmtpOutcomeUnknownException(Exception inner)
    : Exception($"The mail server's answer was lost after the message was sent: {inner.Message}", inner);

/// <summary>
/// The one seam around SMTP: the dispatcher depends on it so the wrapper's own tests can use a
/// fake server; everything else runs against the real mail server.
/// </summary>
public interface ISmtpSender
{
    /// <summary>Hands <paramref name="message"/> over. Throws <see cref="SmtpRejectedException"/> on a refusal,
    /// other exceptions (I/O, timeouts) when the server could not be reached.</summary>
    /// <param name="returnPath">The envelope sender (where delivery reports go); null: the message's From.</param>
    Task<SmtpAccepted> SendAsync(MimeMessage message, string? returnPath, CancellationToken ct);
}
