namespace SalesMind.Notifier.Admin;

/// <summary>How the delivery list's <c>recipient</c> is matched.</summary>
public enum RecipientMatch
{
    /// <summary><c>hanako@example.com</c>: that address.</summary>
    Address,

    /// <summary><c>hanako*</c>: addresses that start with <c>hanako</c>.</summary>
    Prefix,

    /// <summary><c>@example.com</c>: addresses at that domain (not its subdomains).</summary>
    Domain,
}

/// <summary>
/// The delivery list's recipient search, parsed: a whole address, a prefix ending in <c>*</c>, or a
/// domain starting with <c>@</c>; never case-sensitive. Each form is answered from an index (see
/// the deliveries' <c>recipient_key</c> and <c>recipient_domain</c> columns).
/// </summary>
public sealed record RecipientFilter(RecipientMatch Match, string Value)
{
    public const string Syntax = "the whole address (hanako@example.com), a prefix ending in * (hanako*) or a domain starting with @ (@example.com)";

    /// <summary>The filter, or the message that says what is wrong with <paramref name="input"/>.</summary>
    public static (RecipientFilter? Filter, string? Error) Parse(string input)
    {
        var value = input.Trim().ToLowerInvariant();
        if (value.Length > 254)
        {
            return (null, "recipient is longer than an address can be (254 characters).");
        }

        var star = value.IndexOf('*');
        if (star >= 0 && star != value.Length - 1)
        {
            return (null, $"recipient may have * only at its end, for a prefix: use {Syntax}.");
        }

        if (value.StartsWith('@'))
        {
            var domain = value[1..];
            return domain.Length == 0 || domain.Contains('@') || star >= 0
                ? (null, $"'{input.Trim()}' is not a domain: use {Syntax}.")
                : (new RecipientFilter(RecipientMatch.Domain, domain), null);
        }

        if (star >= 0)
        {
            var prefix = value[..^1];
            return prefix.Length == 0
                ? (null, $"recipient needs at least one character before *: use {Syntax}.")
                : (new RecipientFilter(RecipientMatch.Prefix, prefix), null);
        }

        return (new RecipientFilter(RecipientMatch.Address, value), null);
    }

    /// <summary>
    /// The LIKE pattern for a prefix: the person's <c>%</c>, <c>_</c> and <c>\</c> are matched as
    /// themselves (escaped with <c>\</c>), so "a_b*" does not also find "axb…".
    /// </summary>
    public string LikePattern() =>
        Value.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal) + "%";
}
