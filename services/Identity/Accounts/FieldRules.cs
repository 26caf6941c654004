using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace SalesMind.Identity.Accounts;

/// <summary>
/// The rules of the account fields, for sign-up, resets and the contested sign-up's choice of
/// credentials. A broken rule is a message key (<c>username.length</c>): the texts live in
/// <c>Web/Messages.cs</c>, the one copy the pages' own checks are tested against.
/// </summary>
public static partial class FieldRules
{
    public const int UsernameMin = 3;
    public const int UsernameMax = 150;
    public const int EmailMax = 254;
    public const int PasswordMin = 8;
    public const int PasswordMax = 128;
    public const int PurposeMax = 500;

    /// <summary>Two strings this alike (2 × common subsequence / total length) are "too similar".</summary>
    public const double MaxSimilarity = 0.7;

    private static readonly Lazy<HashSet<string>> CommonPasswords = new(LoadCommonPasswords);

    /// <summary>
    /// The message key of the first username rule broken, or null. No <c>@</c>: an identifier with
    /// one is always read as an address (<see cref="AccountLookup"/>), so a username shaped
    /// like someone's address could otherwise stand in for it.
    /// </summary>
    public static string? UsernameProblem(string username) => username switch
    {
        { Length: 0 } => "username.required",
        { Length: < UsernameMin or > UsernameMax } => "username.length",
        _ when username.Contains('@', StringComparison.Ordinal) => "username.at",
        _ when !UsernamePattern().IsMatch(username) => "username.chars",
        _ => null,
    };

    /// <summary>
    /// NFKC, as usernames are compared in that form (full-width "ＡＢＣ" is "ABC"). Text that
    /// cannot be normalized keeps its raw form and fails the character rule.
    /// </summary>
    public static string NormalizeUsername(string? username)
    {
        var trimmed = username?.Trim() ?? "";
        try
        {
            return trimmed.Normalize(NormalizationForm.FormKC);
        }
        catch (ArgumentException)
        {
            return trimmed;
        }
    }

    /// <summary>
    /// A deliberately plain check of a bare address (the verification email is the real proof
    /// that it works). Bare matters: mail libraries read <c>x &lt;a@b.c&gt;</c> or
    /// <c>a@b.c (x)</c> as a@b.c, which would let one mailbox hold many accounts.
    /// </summary>
    public static bool IsEmail(string email)
    {
        if (email.Length > EmailMax || !EmailPattern().IsMatch(email))
        {
            return false;
        }

        var local = email[..email.IndexOf('@')];
        return local.Length <= 64 && !local.StartsWith('.') && !local.EndsWith('.') && !local.Contains("..", StringComparison.Ordinal);
    }

    /// <summary>The form addresses are compared and stored in (unique in <c>users.normalized_email</c>).</summary>
    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    /// <summary>The form usernames are compared and stored in (unique in <c>users.normalized_username</c>).</summary>
    public static string NormalizedUsernameKey(string username) => username.ToLowerInvariant();

    /// <summary>The message key of the first password rule broken, or null: for sign-up and for resets.</summary>
    public static string? PasswordProblem(string password, string username) => password switch
    {
        { Length: 0 } => "password.required",
        { Length: < PasswordMin } => "password.short",
        { Length: > PasswordMax } => "password.long",
        _ when password.All(char.IsAsciiDigit) => "password.numeric",
        _ when IsTooSimilar(password, username) => "password.similar",
        _ when IsCommon(password) => "password.common",
        _ => null,
    };

    public static bool IsTooSimilar(string password, string username)
    {
        if (username.Length < UsernameMin)
        {
            return false;
        }

        var a = password.ToLowerInvariant();
        var b = username.ToLowerInvariant();
        if (a.Contains(b, StringComparison.Ordinal) || b.Contains(a, StringComparison.Ordinal))
        {
            return true;
        }

        return 2.0 * LongestCommonSubsequence(a, b) / (a.Length + b.Length) >= MaxSimilarity;
    }

    public static bool IsCommon(string password) => CommonPasswords.Value.Contains(password.ToLowerInvariant());

    internal static int LongestCommonSubsequence(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        foreach (var ca in a)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = ca == b[j - 1] ? previous[j - 1] + 1 : Math.Max(previous[j], current[j - 1]);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static HashSet<string> LoadCommonPasswords()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("common-passwords.txt")
            ?? throw new InvalidOperationException("The common-password list is not embedded in the assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                set.Add(line.Trim().ToLowerInvariant());
            }
        }

        return set;
    }

    [GeneratedRegex(@"^[\p{L}\p{Nd}.+\-_]+$")]
    private static partial Regex UsernamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")]
    private static partial Regex EmailPattern();
}
