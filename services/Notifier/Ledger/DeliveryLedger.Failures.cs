using Microsoft.EntityFrameworkCore;

namespace SalesMind.Notifier.Ledger;

/// <summary>What a classified failure does: suppression (<see cref="FailurePolicy"/>), its metrics and the operator's warning.</summary>
public sealed partial class DeliveryLedger
{
    /// <summary>
    /// Suppresses the delivery's address when its failure says so: a hard one that ended the
    /// delivery at once, a soft one when it is the <c>Bounces:SoftBouncesBeforeSuppression</c>th
    /// within <c>Bounces:SoftBounceWindow</c>. In the caller's transaction; the caller saves.
    /// </summary>
    private async Task ApplyFailurePolicyAsync(Delivery delivery, string? reason, DateTimeOffset now, CancellationToken ct)
    {
        var options = bounces.Value;
        if (delivery.FailureClass is not { } failureClass || options.SuppressFor <= TimeSpan.Zero)
        {
            return;
        }

        if (FailurePolicy.SuppressesAtOnce(failureClass, delivery.Status))
        {
            await SuppressAsync(delivery, reason ?? "hard bounce", "a hard bounce", now, ct);
            return;
        }

        if (FailurePolicy.CountsAsSoftBounce(failureClass, delivery.Status) && options.SoftBouncesBeforeSuppression > 0)
        {
            var softBounces = await SoftBouncesAsync(delivery, now, ct);
            if (FailurePolicy.SoftBouncesSuppress(softBounces, options))
            {
                var why = $"{softBounces} soft bounces within {options.SoftBounceWindow}";
                await SuppressAsync(delivery, $"{why}; the last: {reason ?? "soft bounce"}", why, now, ct);
            }
        }
    }

    /// <summary>
    /// Deliveries to the same address that ended soft within the window, this one included.
    /// Other changes of the caller's unit of work are saved first (a batch of reports may hold
    /// several for one address); the caller's transaction still commits them or nothing.
    /// </summary>
    private async Task<int> SoftBouncesAsync(Delivery delivery, DateTimeOffset now, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        var address = delivery.Recipient.ToLowerInvariant();
        var since = now - bounces.Value.SoftBounceWindow;
        var finals = FailurePolicy.FinalFailures;
        var others = await db.Deliveries.AsNoTracking()
            .Where(d => EF.Property<string>(d, DeliveryConfiguration.RecipientKey) == address && d.Id != delivery.Id
                && finals.Contains(d.Status) && d.FailureClass == FailureClass.Soft && d.UpdatedAt >= since)
            .CountAsync(ct);
        return others + 1;
    }

    /// <summary>After the commit: counts a failure and warns the operator of a policy or auth refusal.</summary>
    private void CountFailure(StatusChange change)
    {
        if (!FailurePolicy.IsFailure(change.To) || change.Delivery.FailureClass is not { } failureClass)
        {
            return;
        }

        FailureMetrics.Count(failureClass, change.To, change.Delivery.Recipient);
        if (FailurePolicy.RaisesAlert(failureClass))
        {
            LogPolicyFailure(change.Delivery.Id, change.Delivery.Recipient[(change.Delivery.Recipient.LastIndexOf('@') + 1)..], failureClass.Name(), change.To.Name(), change.Error);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {DeliveryId}: the receiver at {Domain} refuses the sender ({FailureClass}, now {Status}): {Reply}. " +
        "The address is not suppressed: check the sending IP's reputation and blocklists, the sending rate, and SPF/DKIM/DMARC")]
    private partial void LogPolicyFailure(Guid deliveryId, string domain, string failureClass, string status, string? reply);
}
