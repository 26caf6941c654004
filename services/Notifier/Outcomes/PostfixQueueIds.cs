namespace SalesMind.Notifier.Outcomes;

/// <summary>
/// The two forms of Postfix's queue ids. Short ids (upper-case hex, Postfix's default) are
/// reused: the same id names another message minutes or days later, so a log line about one
/// could be taken for another's. Long ids (<c>enable_long_queue_ids = yes</c>: base 52 without
/// vowels, at least 12 characters, with a lower-case <c>z</c> before the inode part) are not.
/// </summary>
public static class PostfixQueueIds
{
    /// <summary>A short (reused) id: upper-case hex only.</summary>
    public static bool IsShort(string queueId) =>
        queueId.Length >= 6 && queueId.All(c => c is >= '0' and <= '9' or >= 'A' and <= 'F');

    /// <summary>A long id: at least 12 characters of Postfix's base-52 alphabet (no vowels), not all hex.</summary>
    public static bool IsLong(string queueId) =>
        queueId.Length >= 12 && !IsShort(queueId) && queueId.All(IsBase52);

    private static bool IsBase52(char c) =>
        c is >= '0' and <= '9'
        || (c is >= 'A' and <= 'Z' && "AEIOU".IndexOf(c) < 0)
        || (c is >= 'a' and <= 'z' && "aeiou".IndexOf(c) < 0);
}
