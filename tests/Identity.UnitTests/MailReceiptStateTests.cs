using SalesMind.Identity.AddressStates;
using SalesMind.Identity.DeliveryReports;

namespace SalesMind.Identity.UnitTests;

/// <summary>
/// What the sign-up page is told about its email: a failure the receiving provider caused
/// (throttled, auth) is ours, so the person is not sent off to look for typos in a good address.
/// </summary>
public sealed class MailReceiptStateTests
{
    [Theory]
    [InlineData("bounced", "throttled")]
    [InlineData("bounced", "auth")]
    [InlineData("failed", "throttled")]
    [InlineData("failed", "auth")]
    [InlineData("abandoned", "throttled")]
    [InlineData("abandoned", "auth")]
    public void A_failure_on_our_side_is_delayed(string status, string failureClass) =>
        Assert.Equal(MailReceipts.DelayedState, MailReceipts.StateOf(status, failureClass));

    [Theory]
    [InlineData("bounced", "hard")]
    [InlineData("bounced", "soft")]
    [InlineData("bounced", "unknown")]
    [InlineData("failed", "hard")]
    [InlineData("abandoned", "soft")]
    // Reports from before failures were classified.
    [InlineData("bounced", null)]
    [InlineData("failed", null)]
    [InlineData("abandoned", null)]
    // A suppression is about the address (it bounced hard before, or its owner complained), whatever the class says.
    [InlineData("suppressed", null)]
    [InlineData("suppressed", "throttled")]
    [InlineData("suppressed", "auth")]
    // Only the exact lower-case words count.
    [InlineData("bounced", "Throttled")]
    [InlineData("bounced", "throttled ")]
    [InlineData("bounced", "")]
    public void A_failure_of_the_address_is_unreachable(string status, string? failureClass) =>
        Assert.Equal(MailReceipts.UnreachableState, MailReceipts.StateOf(status, failureClass));

    [Theory]
    [InlineData(null, null)]
    [InlineData("queued", null)]
    [InlineData("sent", null)]
    [InlineData("delivered", null)]
    // Still being retried: nothing to say yet, whoever's problem it is.
    [InlineData("deferred", "throttled")]
    [InlineData("deferred", "hard")]
    // It arrived; the recipient called it spam.
    [InlineData("complained", null)]
    [InlineData("unheard-of", "throttled")]
    public void Anything_else_is_pending(string? status, string? failureClass) =>
        Assert.Equal(MailReceipts.PendingState, MailReceipts.StateOf(status, failureClass));

    [Fact]
    public void Every_reported_status_has_an_answer()
    {
        foreach (var status in DeliveryStatuses.Reported)
        {
            foreach (var failureClass in FailureClasses.All.Append(null))
            {
                Assert.Contains(MailReceipts.StateOf(status, failureClass),
                    new[] { MailReceipts.PendingState, MailReceipts.UnreachableState, MailReceipts.DelayedState });
            }
        }
    }
}
