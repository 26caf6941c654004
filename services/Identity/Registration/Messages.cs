namespace SalesMind.Identity.Registration;

/// <summary>
/// Field messages in both languages. The sign-up page shows the same sentences for its own
/// checks (nginx/html/assets/i18n.js), so keep the two in step.
/// </summary>
public static class Messages
{
    public const string DefaultLocale = "ja";

    public static readonly IReadOnlySet<string> Locales = new HashSet<string> { "ja", "en" };

    private static readonly Dictionary<string, (string Ja, string En)> Texts = new()
    {
        ["username.required"] = ("ユーザー名を入力してください。", "Enter a username."),
        ["username.length"] = ("ユーザー名は3〜150文字で入力してください。", "Username must be 3 to 150 characters."),
        ["username.characters"] = ("ユーザー名に使えるのは文字、数字と . + - _ だけです。", "Username may contain only letters, digits and . + - _."),
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
        ["industry.required"] = ("業種を選択してください。", "Choose an industry."),
        ["industry.invalid"] = ("業種の選択が正しくありません。", "Choose a valid industry."),
        ["sales_experience.invalid"] = ("営業経験の選択が正しくありません。", "Choose a valid sales experience."),
        ["purpose.long"] = ("利用目的は500文字以内で入力してください。", "Purpose must be at most 500 characters."),
        ["locale.invalid"] = ("言語は ja か en を指定してください。", "Locale must be ja or en."),
        ["token.invalid"] = ("このリンクは無効です。もう一度お手続きください。", "This link is not valid. Please ask for a new one."),
        ["token.expired"] = ("このリンクは有効期限が切れています。もう一度お手続きください。", "This link has expired. Please ask for a new one."),
        ["token.deactivated"] = ("このアカウントは無効化されているため、このリンクは使えません。", "This account has been deactivated, so this link cannot be used."),
        ["token.used"] = ("このリンクはすでに使われています。もう一度お手続きください。", "This link was already used. Please ask for a new one."),
        ["field.unknown"] = ("この項目は受け付けていません。", "This field is not accepted."),
        ["field.not_string"] = ("文字列で指定してください。", "Must be a string."),
        ["field.duplicate"] = ("この項目が複数回指定されています。", "This field was given more than once."),
        ["field.invalid_text"] = ("使用できない文字が含まれています。", "Contains characters that are not allowed."),
    };

    public static string Get(string key, string locale) =>
        Texts.TryGetValue(key, out var text)
            ? locale == "en" ? text.En : text.Ja
            : throw new KeyNotFoundException($"No message '{key}'.");
}
