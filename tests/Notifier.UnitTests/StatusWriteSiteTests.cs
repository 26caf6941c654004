using System.Reflection;
using System.Text.RegularExpressions;
using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.UnitTests;

/// <summary>
/// Where a delivery's status is written: by the <see cref="Delivery"/> transitions only, saved
/// by the <see cref="DeliveryLedger"/> only (with its event and metric), plus the dispatcher's
/// claim, which moves a due delivery to <c>sending</c> as a lock and announces nothing.
/// </summary>
public sealed partial class StatusWriteSiteTests
{
    [Fact]
    public void The_status_has_a_private_setter()
    {
        var status = typeof(Delivery).GetProperty(nameof(Delivery.Status))!;
        Assert.True(status.GetMethod!.IsPublic);
        Assert.True(status.SetMethod!.IsPrivate);
    }

    [Fact]
    public void The_transitions_are_these_methods_and_no_others()
    {
        var transitions = typeof(Delivery).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m.ReturnType == typeof(StatusChange))
            .Select(m => m.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["ApplyReport", "Cancel", "MarkComplained", "MarkDeferred", "MarkFailed", "MarkInterrupted", "MarkSent", "Open", "Requeue"], transitions);
    }

    [Fact]
    public void Every_status_write_site_is_listed_here()
    {
        var sites = RepoFiles.NotifierSources()
            .SelectMany(f => StatusWrite().Matches(f.Text).Select(m => $"{f.Path}: {m.Value.Trim()}"))
            .Distinct()
            .ToArray();

        Assert.Equal(
        [
            // The claim: queued/deferred -> sending, a lock (the answer is recorded by the ledger).
            "Ledger/Delivery.cs: Status =",
            "Ledger/DeliveryLedger.cs: .SetProperty(d => d.Status",
            "Sending/DeliveryClaims.cs: SET status =",
        ], sites);
    }

    [Fact]
    public void Only_the_ledger_builds_the_status_event_and_counts_the_status_metric()
    {
        var sources = RepoFiles.NotifierSources().ToList();
        Assert.Equal(["Ledger/DeliveryLedger.cs"],
            sources.Where(f => f.Text.Contains("new EmailDeliveryStatusChanged(", StringComparison.Ordinal)).Select(f => f.Path));
        Assert.Equal(["Ledger/DeliveryLedger.cs"],
            sources.Where(f => f.Text.Contains("salesmind.delivery.status_changes", StringComparison.Ordinal)).Select(f => f.Path));
        Assert.Equal(["Ledger/DeliveryLedger.cs"],
            sources.Where(f => f.Text.Contains("StatusChanges.Add(", StringComparison.Ordinal)).Select(f => f.Path));
    }

    [Fact]
    public void No_status_is_spelled_as_a_string_literal_outside_the_enum()
    {
        var names = string.Join('|', Enum.GetValues<DeliveryStatus>().Select(s => s.Name()));
        var literal = new Regex($"[\"']({names})[\"']");
        var found = RepoFiles.NotifierSources()
            .Where(f => literal.IsMatch(Comment().Replace(f.Text, "")))
            .Select(f => f.Path)
            .ToArray();

        // The same words, meaning something else: RFC 3464's actions ("failed", "delivered") and
        // Postfix's own status= words ("sent", "bounced", "deferred") that the log reader translates.
        Assert.Equal(["Ledger/FateReport.cs", "Outcomes/PostfixOutcome.cs"], found);
    }

    [GeneratedRegex("//[^\n]*")]
    private static partial Regex Comment();

    /// <summary>
    /// An assignment of a delivery's status: <c>Status = </c> (not <c>==</c>, not a report's or a
    /// view's <c>Status = </c> named after a receiver), EF's <c>SetProperty(d =&gt; d.Status</c>, or SQL's <c>SET status =</c>.
    /// </summary>
    [GeneratedRegex(@"(?<![\w.])Status = (?!=)(?=DeliveryStatus\.|suppression|to\b)|\.SetProperty\(d => d\.Status|SET status =", RegexOptions.IgnoreCase)]
    private static partial Regex StatusWrite();
}
