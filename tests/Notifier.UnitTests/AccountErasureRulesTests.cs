using System.Text.RegularExpressions;
using SalesMind.Notifier.Ledger;

namespace SalesMind.Notifier.UnitTests;

/// <summary>The rules of erasing a deleted account's address that need no database.</summary>
public sealed class AccountErasureRulesTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_delivery_waiting_for_its_next_attempt_before_the_hand_off_is_cancelled_but_not_one_the_mail_server_holds()
    {
        var waiting = DeliveryTransitionTests.In(DeliveryStatus.Deferred);
        waiting.QueueId = null;
        var change = waiting.Cancel(DeliveryLedger.CancelledReason, At);
        Assert.Equal((DeliveryStatus.Deferred, DeliveryStatus.Suppressed), (change!.From!.Value, change.To));
        Assert.Equal(DeliveryLedger.CancelledReason, waiting.LastError);

        // Handed over: the mail server is retrying it; only its report can settle it.
        Assert.Null(DeliveryTransitionTests.In(DeliveryStatus.Deferred).Cancel(DeliveryLedger.CancelledReason, At));
        // Nobody retries what was cancelled.
        Assert.DoesNotContain(DeliveryStatus.Suppressed, Delivery.Retryable);
    }

    [Theory]
    [InlineData("hanako+sales@mail.test")]
    [InlineData("a.b*c?(d)[e]{f}|g^h$i\\j@x.test")]
    [InlineData("山田@例え.テスト")]
    public void The_address_pattern_matches_the_address_itself_and_nothing_else(string address)
    {
        // PostgreSQL's advanced regular expressions read a backslash before a non-alphanumeric
        // character as that character, as .NET's do, so the same pattern is checked here.
        var pattern = DeliveryLedger.PostgresLiteralPattern(address);

        Assert.Matches(new Regex("^" + pattern + "$"), address);
        Assert.DoesNotMatch(new Regex("^" + pattern + "$"), address.Replace(".", "x", StringComparison.Ordinal) + "y");
    }
}
