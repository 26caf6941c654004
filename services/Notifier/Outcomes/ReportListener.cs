using System.Buffers;
using System.Net;
using Microsoft.Extensions.Options;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;
using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.Outcomes;

/// <summary>
/// An SMTP listener for delivery status notifications and complaints (feedback-loop reports):
/// the mail server routes the bounce domain here, and anyone may write to it (the bounce
/// domain's MX is public). A report changes only the delivery its signed return path names
/// (<see cref="ReportIntake"/>), a complaint only the one its references agree on
/// (<see cref="ComplaintIntake"/>); anything else is recorded as rejected. A report is answered 250 only after it is applied or recorded, so none is lost:
/// while the database is unreachable, or the report overtook the dispatcher's record of the
/// hand-off, the answer is 451 and the mail server tries again later.
/// </summary>
public sealed partial class ReportListener(
    IServiceScopeFactory scopes, IOptions<BounceOptions> options, ILogger<ReportListener> logger) : BackgroundService
{
    private const int MaxReportBytes = 1_000_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (settings.ListenPort == 0)
        {
            LogOff();
            return;
        }

        var serverOptions = new SmtpServerOptionsBuilder()
            .ServerName(settings.Domain)
            .MaxMessageSize(MaxReportBytes)
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Parse(settings.ListenAddress), settings.ListenPort)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        services.Add(new OnlyOurDomain(settings));
        var server = new SmtpServer.SmtpServer(serverOptions, services);
        LogListening(settings.ListenAddress, settings.ListenPort, settings.Domain);
        try
        {
            await server.StartAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Applies one report (or records it as rejected); the SMTP answer for the whole message.</summary>
    internal async Task<SmtpResponse> ReceiveAsync(string? sender, string? remoteAddress, IReadOnlyList<string> recipients, Stream content, CancellationToken ct)
    {
        MimeMessage message;
        try
        {
            message = await MimeMessage.LoadAsync(content, ct);
        }
        catch (FormatException ex)
        {
            LogUnreadable(ex.Message);
            return SmtpResponse.Ok;
        }

        // DMARC aggregate reports have an address of their own at the bounce domain (Bounces:DmarcReportAddress);
        // a message sent there is read as one only (a receiver addresses its report to that one address).
        if (recipients.Any(r => string.Equals(r, options.Value.DmarcReportMailbox, StringComparison.OrdinalIgnoreCase)))
        {
            return await ReceiveDmarcReportAsync(message, sender, remoteAddress, ct);
        }

        try
        {
            // Which intake a message is for, by what it is. A message that is none of these
            // (an auto-reply, a stray newsletter) teaches nothing and is acknowledged.
            return message.Body switch
            {
                MultipartReport when ArfParser.Parse(message) is { } complaint =>
                    await ComplaintAsync(new ReceivedComplaint(sender, remoteAddress, recipients, complaint), ct),
                MultipartReport when DsnParser.Parse(message) is { } report =>
                    await DeliveryReportAsync(new ReceivedReport(sender, remoteAddress, recipients, report), ct),
                _ => NotAReport(message),
            };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(ex);
            return new SmtpResponse(SmtpReplyCode.Aborted, "4.3.0 report not recorded, try again later");
        }
    }

    /// <summary>Hands a DMARC aggregate report to its own intake (DomainHealth); 451 only when it could not be recorded.</summary>
    private async Task<SmtpResponse> ReceiveDmarcReportAsync(MimeMessage message, string? sender, string? remoteAddress, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IDmarcReportReceiver>().ReceiveAsync(message, sender, remoteAddress, ct);
            return SmtpResponse.Ok;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDmarcFailed(ex);
            return new SmtpResponse(SmtpReplyCode.Aborted, "4.3.0 report not recorded, try again later");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording a DMARC aggregate report failed; the mail server will send it again")]
    private partial void LogDmarcFailed(Exception ex);

    /// <summary>
    /// A delivery status notification (RFC 3464, RFC 6533). The same answer whether the report was
    /// applied or rejected: an outsider learns nothing about which deliveries exist. Only a
    /// validly signed one can get the 451.
    /// </summary>
    private async Task<SmtpResponse> DeliveryReportAsync(ReceivedReport report, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var intake = scope.ServiceProvider.GetRequiredService<ReportIntake>();
        return Answer(await intake.ReceiveAsync(report, ct));
    }

    /// <summary>A feedback-loop report (ARF, RFC 5965), sent to the complaint address or a signed return path; answered alike.</summary>
    private async Task<SmtpResponse> ComplaintAsync(ReceivedComplaint complaint, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var intake = scope.ServiceProvider.GetRequiredService<ComplaintIntake>();
        return Answer(await intake.ReceiveAsync(complaint, ct));
    }

    private static SmtpResponse Answer(IntakeOutcome outcome) => outcome == IntakeOutcome.TooEarly
        ? new SmtpResponse(SmtpReplyCode.Aborted, "4.3.0 delivery not settled yet, try again later")
        : SmtpResponse.Ok;

    private SmtpResponse NotAReport(MimeMessage message)
    {
        LogNotAReport(message.Subject);
        return SmtpResponse.Ok;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Delivery reports are not received here (Bounces:ListenPort is 0)")]
    private partial void LogOff();

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for delivery reports on {Address}:{Port} for {Domain}")]
    private partial void LogListening(string address, int port, string domain);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An unreadable message came to the report listener: {Reason}")]
    private partial void LogUnreadable(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "A message that is neither a delivery report nor a complaint came to the report listener ({Subject}); ignored")]
    private partial void LogNotAReport(string? subject);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording a delivery report or complaint failed; the mail server will send it again")]
    private partial void LogFailed(Exception ex);

    private sealed class Store(ReportListener listener) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            await using var stream = new MemoryStream(buffer.ToArray());
            var sender = string.IsNullOrEmpty(transaction.From?.User) ? null : transaction.From.AsAddress();
            var remote = context.Properties.TryGetValue(EndpointListener.RemoteEndPointKey, out var endpoint) ? endpoint?.ToString() : null;
            return await listener.ReceiveAsync(sender, remote, transaction.To.Select(m => m.AsAddress()).ToList(), stream, cancellationToken);
        }
    }

    /// <summary>Only mail for the bounce domain is taken; this listener relays nothing.</summary>
    private sealed class OnlyOurDomain(BounceOptions settings) : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) =>
            Task.FromResult(size <= MaxReportBytes);

        public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            Task.FromResult(string.Equals(to.Host, settings.Domain, StringComparison.OrdinalIgnoreCase));
    }
}
