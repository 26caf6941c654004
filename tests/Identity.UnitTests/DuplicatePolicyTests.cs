using SalesMind.Identity.Registration;

namespace SalesMind.Identity.UnitTests;

/// <summary>What a sign-up that meets an existing address or name does (the answer is a 202 either way).</summary>
public sealed class DuplicatePolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    [Fact]
    public void An_unverified_address_becomes_contested_and_its_owner_gets_a_fresh_link()
    {
        Assert.Equal(new DuplicateDecision(true, DuplicateNotice.VerificationLink),
            DuplicatePolicy.ForAddressInUse(deactivated: false, verified: false, lastNoticeAt: null, Now, Interval));
    }

    [Fact]
    public void A_verified_owner_is_told_someone_tried_and_nothing_else_changes()
    {
        Assert.Equal(new DuplicateDecision(false, DuplicateNotice.AccountExists),
            DuplicatePolicy.ForAddressInUse(deactivated: false, verified: true, lastNoticeAt: Now - TimeSpan.FromHours(2), Now, Interval));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_owner_is_mailed_at_most_once_per_interval(bool verified)
    {
        var decision = DuplicatePolicy.ForAddressInUse(false, verified, Now - TimeSpan.FromMinutes(59), Now, Interval);

        Assert.Equal(DuplicateNotice.None, decision.Notice);
        // Still contested, mail or no mail.
        Assert.Equal(!verified, decision.Contest);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_deactivated_account_gets_nothing_and_does_not_change(bool verified)
    {
        Assert.Equal(new DuplicateDecision(false, DuplicateNotice.None),
            DuplicatePolicy.ForAddressInUse(deactivated: true, verified, lastNoticeAt: null, Now, Interval));
    }

    [Theory]
    [InlineData(true, true, false, true, true)]
    [InlineData(true, false, false, true, false)]
    [InlineData(true, true, true, true, false)]
    [InlineData(true, true, false, false, false)]
    [InlineData(false, true, false, true, false)]
    public void Only_a_copy_of_the_same_pending_sign_up_counts_as_the_same_sign_up(
        bool sameUsername, bool sameEmail, bool verified, bool samePassword, bool same)
    {
        Assert.Equal(same, DuplicatePolicy.IsSameSignup(sameUsername, sameEmail, verified, samePassword));
    }
}
