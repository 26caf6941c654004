namespace SalesMind.Identity.Registration;

/// <summary>What a sign-up for an address that already has an account mails its owner.</summary>
public enum DuplicateNotice
{
    /// <summary>Nothing: deactivated, or the owner was told within the interval.</summary>
    None,

    /// <summary>A fresh verification link (the account is unverified).</summary>
    VerificationLink,

    /// <summary>"Someone tried to sign up with your address" (the account is verified).</summary>
    AccountExists,
}

/// <param name="Contest">The unverified account becomes contested: no typed password activates it any more.</param>
/// <param name="Notice">What to mail the owner; anything but None also moves the notice time to now.</param>
public readonly record struct DuplicateDecision(bool Contest, DuplicateNotice Notice);

/// <summary>
/// The pure rules of sign-ups that meet an existing name or address. Whatever they decide, the
/// newcomer gets the same 202 as a new sign-up (or the 409 of a taken name, which is public
/// anyway), so the answer never tells who owns an address.
/// </summary>
public static class DuplicatePolicy
{
    /// <summary>
    /// A sign-up for an address that has an account, other than a copy of the one that made it.
    /// Only the address's owner learns more, by mail, at most once per interval, so this cannot
    /// flood someone's mailbox. An unverified account becomes contested and stays so: the
    /// newcomer's password and name are dropped, and whoever opens a link proves the mailbox and
    /// then chooses the username and password. An account an admin closed gets nothing.
    /// </summary>
    public static DuplicateDecision ForAddressInUse(
        bool deactivated, bool verified, DateTimeOffset? lastNoticeAt, DateTimeOffset now, TimeSpan noticeInterval)
    {
        if (deactivated)
        {
            return new(false, DuplicateNotice.None);
        }

        var due = lastNoticeAt is null || lastNoticeAt < now - noticeInterval;
        var notice = !due ? DuplicateNotice.None : verified ? DuplicateNotice.AccountExists : DuplicateNotice.VerificationLink;
        return new(!verified, notice);
    }

    /// <summary>
    /// Whether the account already holding the name or address is this very sign-up, retried or
    /// duplicated on the way after its answer was lost: same name, address and password, not
    /// verified yet. It then gets the answer it should have had, and nothing is done twice.
    /// </summary>
    public static bool IsSameSignup(bool sameUsername, bool sameEmail, bool verified, bool samePassword) =>
        sameUsername && sameEmail && !verified && samePassword;
}
