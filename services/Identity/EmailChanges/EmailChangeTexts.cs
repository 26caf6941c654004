using System.Globalization;

namespace SalesMind.Identity.EmailChanges;

/// <summary>The address change's messages, Japanese and English (the pages show what the server answers).</summary>
public static class EmailChangeTexts
{
    private static readonly IReadOnlyDictionary<string, (string Ja, string En)> Texts = new Dictionary<string, (string Ja, string En)>
    {
        ["password.wrong"] = ("パスワードが正しくありません。", "The password is wrong."),
        ["new_email.same"] = ("これは現在のメールアドレスです。", "This is already your address."),
        ["new_email.taken"] = ("このメールアドレスは別のアカウントで使われるようになりました。", "This address is now used by another account."),
        // {0}: when the earlier change's undo link stops working.
        ["new_email.undo_open"] = ("最近メールアドレスが変更されました。{0}までは元のアドレスから取り消せるため、それまでは新しい変更をお申し込みいただけません。",
            "An address change was made recently; it can be undone from the old address until {0}. Try again after that."),
        ["code.required"] = ("メールに記載された6桁のコードを入力してください。", "Enter the 6-digit code from the email."),
        ["code.wrong"] = ("コードが正しくありません。", "The code is wrong."),
        ["code.dead"] = ("コードの入力回数の上限に達したか、有効期限が切れました。もう一度変更をお申し込みください。",
            "This code can no longer be used (too many tries, or it expired). Please ask for the change again."),
        ["code.none"] = ("確認待ちのメールアドレス変更はありません。もう一度お申し込みください。", "There is no address change waiting; please ask for it again."),
        ["token.invalid"] = ("このリンクは無効です。", "This link is not valid."),
        ["token.expired"] = ("このリンクは有効期限が切れています。", "This link has expired."),
        ["token.used"] = ("このリンクはすでに使われています。", "This link was already used."),
        ["too_many"] = ("メールアドレス変更のお申し込みが多すぎます。時間をおいてもう一度お試しください。",
            "Too many address change requests; please try again later."),
        ["locked"] = ("パスワードの失敗が続いたため、しばらくお試しいただけません。", "Too many wrong passwords: try again later."),
    };

    public static string Get(string key, string locale) => locale == "en" ? Texts[key].En : Texts[key].Ja;

    public static Dictionary<string, string[]> Field(string field, string key, string locale) => new() { [field] = [Get(key, locale)] };

    /// <summary>The sentence for "wait until the earlier change's undo link has run out", with its time (UTC).</summary>
    public static string UndoOpen(DateTimeOffset until, string locale) =>
        string.Format(CultureInfo.InvariantCulture, Get("new_email.undo_open", locale),
            until.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
}
