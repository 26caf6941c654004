using System.Net.Sockets;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Polly;
using Polly.Retry;

namespace SalesMind.Notifier.Sending;

/// <summary>
/// Sends through a small pool of open SMTP connections (a new connection per message would
/// cost a handshake each). Short transient failures (connection refused or dropped, 4xx) are
/// retried here a few times within about a second; anything longer is the dispatcher's
/// business, which reschedules the delivery instead of holding a connection.
/// </summary>
public sealed partial class MailKitSmtpSender : ISmtpSender, IAsyncDisposable
{
    private readonly SmtpOptions _options;
    /// <summary>
    /// Idle connections, with when each was last used. The mail server closes a session idle for
    /// a while (Postfix: 300 s, answering the next command with "421 timeout exceeded"), so older
    /// ones are not reused: a quiet spell must not defer the next email.
    /// </summary>
    private readonly Channel<(SmtpClient Client, long LastUsed)> _idle;

    private static readonly TimeSpan MaxIdle = TimeSpan.FromSeconds(60);
    private readonly SemaphoreSlim _slots;
    private readonly ResiliencePipeline _retry;

    public MailKitSmtpSender(IOptions<SmtpOptions> options)
    {
        _options = options.Value;
        _idle = Channel.CreateUnbounded<(SmtpClient, long)>();
        _slots = new SemaphoreSlim(_options.MaxConnections, _options.MaxConnections);
        _retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                // Three quick tries (≈ 0.2 s, 0.4 s): rides out a mail server reload or a dropped
                // pooled connection, not an outage.
                MaxRetryAttempts = 2,
                Delay = TimeSpan.FromMilliseconds(200),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
            })
            .Build();
    }

    public async Task<SmtpAccepted> SendAsync(MimeMessage message, string? returnPath, CancellationToken ct)
    {
        await _slots.WaitAsync(ct);
        try
        {
            return await _retry.ExecuteAsync(async token => await SendOnceAsync(message, returnPath, token), ct);
        }
        catch (SmtpCommandException ex)
        {
            var code = (int)ex.StatusCode;
            throw new SmtpRejectedException(code, ex.Message, code >= 500, ex);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<SmtpAccepted> SendOnceAsync(MimeMessage message, string? returnPath, CancellationToken ct)
    {
        var client = await TakeIdleAsync() ?? await ConnectAsync(ct);
        var progress = new BodyProgress();
        try
        {
            var sender = returnPath is null ? null : MailboxAddress.Parse(returnPath);
            var reply = sender is null
                ? await client.SendAsync(message, ct, progress)
                : await client.SendAsync(message, sender, message.To.Mailboxes, ct, progress);
            _idle.Writer.TryWrite((client, Environment.TickCount64));
            return new SmtpAccepted(reply, ParseQueueId(reply));
        }
        catch (SmtpCommandException)
        {
            // A refused message leaves the session usable (MailKit resets it).
            if (client.IsConnected)
            {
                _idle.Writer.TryWrite((client, Environment.TickCount64));
            }
            else
            {
                client.Dispose();
            }

            throw;
        }
        catch (Exception ex) when (progress.BodyStarted && ex is not OperationCanceledException)
        {
            // The connection failed after the message body started to go out: the server may
            // have accepted it. Trying again here could deliver it twice; the caller settles it.
            client.Dispose();
            throw new SmtpOutcomeUnknownException(ex);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>A pooled connection still fit to use, or null; stale ones are closed on the way.</summary>
    private async Task<SmtpClient?> TakeIdleAsync()
    {
        while (_idle.Reader.TryRead(out var idle))
        {
            if (idle.Client.IsConnected && Environment.TickCount64 - idle.LastUsed < MaxIdle.TotalMilliseconds)
            {
                return idle.Client;
            }

            await CloseAsync(idle.Client);
        }

        return null;
    }

    private async Task<SmtpClient> ConnectAsync(CancellationToken ct)
    {
        var client = new ReportingSmtpClient { Timeout = (int)_options.Timeout.TotalMilliseconds };
        try
        {
            // The mail server is on the same host or private network; STARTTLS is used when offered.
            await client.ConnectAsync(_options.Host, _options.Port, SecureSocketOptions.StartTlsWhenAvailable, ct);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    internal static string? ParseQueueId(string reply)
    {
        var match = QueuedAs().Match(reply);
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>4xx replies and failures to talk to the server at all are worth another try.</summary>
    internal static bool IsTransient(Exception ex) => ex switch
    {
        SmtpCommandException command => (int)command.StatusCode is >= 400 and < 500,
        SmtpProtocolException or ServiceNotConnectedException or IOException or SocketException or TimeoutException => true,
        _ => false,
    };

    public async ValueTask DisposeAsync()
    {
        _idle.Writer.TryComplete();
        while (_idle.Reader.TryRead(out var idle))
        {
            await CloseAsync(idle.Client);
        }
    }

    private static async Task CloseAsync(SmtpClient client)
    {
        if (client.IsConnected)
        {
            try
            {
                await client.DisconnectAsync(quit: true);
            }
            catch (Exception ex) when (IsTransient(ex))
            {
                // Closing anyway.
            }
        }

        client.Dispose();
    }

    /// <summary>
    /// Asks the server for delivery status notifications on failure and delay (not success: a
    /// report for every delivered email would double the mail server's work), carrying the
    /// delivery id as the envelope id (ENVID) so a report names its delivery twice over.
    /// </summary>
    private sealed class ReportingSmtpClient : SmtpClient
    {
        public ReportingSmtpClient() => DeliveryStatusNotificationType = DeliveryStatusNotificationType.HeadersOnly;

        protected override string? GetEnvelopeId(MimeMessage message) =>
            message.Headers["X-SalesMind-Delivery"] is { Length: > 0 and <= 100 } id ? id : null;

        protected override DeliveryStatusNotification? GetDeliveryStatusNotifications(MimeMessage message, MailboxAddress mailbox) =>
            message.Headers.Contains("X-SalesMind-Delivery") ? DeliveryStatusNotification.Failure | DeliveryStatusNotification.Delay : null;
    }

    /// <summary>Notes whether any byte of the message body was sent.</summary>
    private sealed class BodyProgress : ITransferProgress
    {
        public bool BodyStarted { get; private set; }

        public void Report(long bytesTransferred, long totalSize) => BodyStarted |= bytesTransferred > 0;

        public void Report(long bytesTransferred) => BodyStarted |= bytesTransferred > 0;
    }

    [GeneratedRegex(@"queued as ([A-Za-z0-9]+)")]
    private static partial Regex QueuedAs();
}
