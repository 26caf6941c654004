namespace SalesMind.Identity.Web;

/// <summary>
/// The messages of field problems, in both languages: the single source. The pages show the
/// same sentences for their own checks under <c>err.&lt;key&gt;</c> (web/assets/i18n/errors.js),
/// and a unit test fails when the two copies of a <see cref="FieldRuleTexts"/> entry differ.
/// </summary>
public static class Messages
{
    public const string DefaultLocale = "ja";

    public static readonly IReadOnlySet<string> Locales = new HashSet<string> { "ja", "en" };

    /// <summary>What the form fields' rules say (<c>Accounts/FieldRules.cs</c>, <c>Registration/RegistrationRules.cs</c>); the pages check the same rules.</summary>
    public static readonly IReadOnlyDictionary<string, (string Ja, string En)> FieldRuleTexts = new Dictionary<string, (string Ja, string En)>
    {
        ["username.required"] = ("ユーザー名を入力してください。", "Enter a username."),
        ["username.length"] = ("ユーザー名は3〜150文字で入力してください。", "Username must be 3 to 150 characters."),
        ["username.chars"] = ("ユーザー名に使えるのは文字、数字と . + - _ だけです。", "Username may contain only letters, digits and . + - _."),
        ["username.at"] = ("ユーザー名に @ は使えません（メールアドレスと区別するためです）。", "A username cannot contain @, so that it is never mistaken for an email address."),
        ["username.taken"] = ("このユーザー名はすでに使われています。", "This username is already taken."),
        ["email.required"] = ("メールアドレスを入力してください。", "Enter an email address."),
        ["email.invalid"] = ("有効なメールアドレスを入力してください。", "Enter a valid email address."),
        ["password.required"] = ("パスワードを入力してください。", "Enter a password."),
        ["password.short"] = ("パスワードは8文字以上にしてください。", "Password must be at least 8 characters."),
        ["password.numeric"] = ("数字だけのパスワードは使えません。", "Password cannot be entirely numeric."),
        ["password.similar"] = ("パスワードがユーザー名に似すぎています。", "Password is too similar to the username."),
        ["password.common"] = ("よく使われるパスワードのため使えません。", "This password is too common."),
        ["password.long"] = ("パスワードは128文字以内にしてください。", "Password must be at most 128 characters."),
        ["password.similar_email"] = ("パスワードがメールアドレスに似すぎています。", "Password is too similar to the email address."),
        ["industry.required"] = ("業種を選択してください。", "Choose an industry."),
        ["industry.invalid"] = ("業種の選択が正しくありません。", "Choose a valid industry."),
        ["sales_experience.invalid"] = ("営業経験の選択が正しくありません。", "Choose a valid sales experience."),
        ["purpose.length"] = ("利用目的は500文字以内で入力してください。", "Purpose must be at most 500 characters."),
        ["code.required"] = ("確認コードを入力してください。", "Enter the confirmation code."),
        ["code.format"] = ("確認コードはメールに書かれた6桁の数字です。", "The confirmation code is the 6 digits in the email."),
    };

    /// <summary>Problems only the server can see (links, the shape of the request); the pages show what the server answers.</summary>
    public static readonly IReadOnlyDictionary<string, (string Ja, string En)> RequestTexts = new Dictionary<string, (string Ja, string En)>
    {
        ["locale.invalid"] = ("言語は ja か en を指定してください。", "Locale must be ja or en."),
        ["token.invalid"] = ("このリンクは無効です。もう一度お手続きください。", "This link is not valid. Please ask for a new one."),
        ["token.expired"] = ("このリンクは有効期限が切れています。もう一度お手続きください。", "This link has expired. Please ask for a new one."),
        ["token.deactivated"] = ("このアカウントは無効化されているため、このリンクは使えません。", "This account has been deactivated, so this link cannot be used."),
        ["token.used"] = ("このリンクはすでに使われています。もう一度お手続きください。", "This link was already used. Please ask for a new one."),
        ["code.wrong"] = ("コードが正しくないか、使えなくなっています。最新のメールのコードを入力してください。5回間違えると、新しいメールが必要になります。",
            "This code is wrong or no longer works. Enter the code from the newest email; after 5 wrong tries a new email is needed."),
        ["code.resend"] = ("間違ったコードが続いたため、このコードは使えません。新しいメールを送信して、そのコードを入力してください。",
            "Too many wrong codes: this code no longer works. Ask for a new email and enter its code."),
        ["field.unknown"] = ("この項目は受け付けていません。", "This field is not accepted."),
        ["field.not_string"] = ("文字列で指定してください。", "Must be a string."),
        ["field.duplicate"] = ("この項目が複数回指定されています。", "This field was given more than once."),
        ["field.invalid_text"] = ("使用できない文字が含まれています。", "Contains characters that are not allowed."),
    };

    /// <summary>The locale to answer in: the request's if valid, else Japanese.</summary>
    public static string LocaleOf(string? requested) =>
        requested is not null && Locales.Contains(requested.Trim()) ? requested.Trim() : DefaultLocale;

    public static string Get(string key, string locale) =>
        FieldRuleTexts.TryGetValue(key, out var text) || RequestTexts.TryGetValue(key, out text)
            ? locale == "en" ? text.En : text.Ja
            : throw new KeyNotFoundException($"No message '{key}'.");

    /// <summary>Japanese or English, by the locale of the request.</summary>
    public static string Pick(string locale, string ja, string en) => locale == "en" ? en : ja;
}
