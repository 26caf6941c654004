using Microsoft.Extensions.Options;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Outcomes;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Sending;

/// <summary>
/// A delivery left in <c>sending</c> past its lock belonged to a dispatcher that died during
/// the hand-over: the mail server may or may not have accepted it. Ask the mail server's log
/// first; resend only what it never accepted.
/// </summary>
public sealed partial class InDoubtCheck(
    IServiceScopeFactory scopes,
    DeliveryClaims claims,
    PostfixMailLog mailLog,
    AttemptRecorder recorder,
    IOptions<MailOptions> mail,
    IOptions<BounceOptions> bounces,
    TimeProvider time,
    ILogger<InDoubtCheck> logger)
{
    /// <summary>Settles up to <paramref name="count"/> in-doubt deliveries: sent (found in the log) or back in line.</summary>
    public async Task SettleAsync(int count, CancellationToken ct)
    {
        var inDoubt = await claims.ClaimInDoubtAsync(count, ct);
        if (inDoubt.Count == 0)
        {
            return;
        }

        var domain = mail.Value.MessageIdDomain;
        Dictionary<string, string> accepted;
        var checkedLog = mailLog.IsConfigured;
        try
        {
            accepted = await mailLog.FindAcceptedAsync(
                inDoubt.ToDictionary(d => d.MessageIdHeader(domain), d => bounces.Value.ReturnPath(d.Id), StringComparer.Ordinal), ct);
        }
        catch (IOException ex)
        {
            // Better twice than never: an unreadable log must not strand these deliveries.
            LogMailLogUnreadable(ex);
            accepted = [];
            checkedLog = false;
        }
        catch (UnauthorizedAccessException ex)
        {
            LogMailLogUnreadable(ex);
            accepted = [];
            checkedLog = false;
        }

        var settled = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var delivery in inDoubt)
        {
            var now = time.GetUtcNow();
            if (accepted.TryGetValue(delivery.MessageIdHeader(domain), out var queueId))
            {
                await recorder.RecordAsync(delivery, DeliveryAttempts.For(delivery, now, 0, AttemptOutcome.Sent, 250,
                    $"accepted before the Notifier stopped (found in the mail log as {queueId})"), queueId);
                settled[queueId] = delivery.Id;
                continue;
            }

            if (!checkedLog)
            {
                LogResendingUnchecked(delivery.Id);
            }

            await recorder.RecordAsync(delivery, DeliveryAttempts.For(delivery, now, 0, AttemptOutcome.Interrupted, null,
                checkedLog ? "the Notifier stopped during this attempt; the mail server never accepted the message" : "the Notifier stopped during this attempt; no mail log to check, sending again"), null);
        }

        await ApplyLoggedFatesAsync(settled, ct);
    }

    /// <summary>
    /// The verdicts the log already holds on messages just settled as sent (delivered, bounced…):
    /// the mail-log follower read those lines while the deliveries were in doubt, could not tell
    /// whose they were, and let them go; without this their fate would be lost.
    /// </summary>
    private async Task ApplyLoggedFatesAsync(Dictionary<string, Guid> settled, CancellationToken ct)
    {
        if (settled.Count == 0)
        {
            return;
        }

        try
        {
            var outcomes = await mailLog.FindOutcomesAsync(settled.Keys, ct);
            if (outcomes.Count == 0)
            {
                return;
            }

            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<DeliveryLedger>().ApplyReportsAsync(
                [.. outcomes.Select(o => (settled[o.QueueId], new FateReport(ReportSources.Log, o.Action, o.Status, o.Diagnostic, o.Relay)))], ct);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The sends are settled; their fate still comes from a report, or stays "sent".
            LogMailLogUnreadable(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The mail log (Smtp:MailLogPath) cannot be read; in-doubt deliveries are sent again unchecked")]
    private partial void LogMailLogUnreadable(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId} was in doubt and the mail log (Smtp:MailLogPath) could not be checked: sending it again, possibly twice")]
    private partial void LogResendingUnchecked(Guid deliveryId);
}
