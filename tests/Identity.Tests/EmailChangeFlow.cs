using System.Net.Http.Json;
using System.Text.Json;

namespace SalesMind.Identity.Tests;

/// <summary>The steps of an address change as the page sends them, for the address change tests.</summary>
public static class EmailChangeFlow
{
    public const string RequestUrl = "/api/account/email/";
    public const string ConfirmUrl = "/api/account/email/confirm/";
    public const string UndoUrl = "/api/account/email/undo/";

    /// <summary>A new verified account and a client signed in to it.</summary>
    public static async Task<(Dictionary<string, string?> Form, HttpClient Client)> SignedInAsync(this IdentityApp app)
    {
        var form = await app.VerifiedUserAsync();
        var client = app.Client();
        var login = await IdentityApp.LoginAsync(client, form["email"]!, form["password"]!);
        login.EnsureSuccessStatusCode();
        return (form, client);
    }

    public static string NewAddress() => $"moved-{Guid.NewGuid().ToString("N")[..12]}@mail.test";

    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string url, object body, bool csrf = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        if (csrf)
        {
            request.Headers.Add("X-CSRF", "1");
        }

        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> RequestAsync(HttpClient client, string newEmail, string password, bool csrf = true) =>
        PostAsync(client, RequestUrl, new { new_email = newEmail, password, locale = "en" }, csrf);

    public static Task<HttpResponseMessage> ConfirmCodeAsync(HttpClient client, string code) =>
        PostAsync(client, ConfirmUrl, new { code, locale = "en" });

    public static Task<HttpResponseMessage> ConfirmTokenAsync(HttpClient client, string token) =>
        PostAsync(client, ConfirmUrl, new { token, locale = "en" });

    public static Task<HttpResponseMessage> UndoAsync(HttpClient client, string token) =>
        PostAsync(client, UndoUrl, new { token, locale = "en" });

    /// <summary>The newest confirmation mailed to <paramref name="newEmail"/>: its code and its link's token.</summary>
    public static async Task<(string Code, string Token)> MailedConfirmationAsync(this IdentityApp app, string newEmail)
    {
        var mail = (await app.EventsAsync("EmailChangeRequested", newEmail))[^1];
        return (mail.GetProperty("code").GetString()!, TokenOf(mail.GetProperty("confirmUrl").GetString()!, "token"));
    }

    /// <summary>The newest undo link mailed to <paramref name="oldEmail"/>: its token.</summary>
    public static async Task<string> MailedUndoTokenAsync(this IdentityApp app, string oldEmail)
    {
        var mail = (await app.EventsAsync("EmailChanged", oldEmail))[^1];
        return TokenOf(mail.GetProperty("undoUrl").GetString()!, "undo_token");
    }

    public static string TokenOf(string url, string name)
    {
        var query = url[(url.IndexOf('?', StringComparison.Ordinal) + 1)..].Split('&');
        return query.Single(p => p.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];
    }

    /// <summary>The first message of <paramref name="field"/> in a problem body.</summary>
    public static async Task<string?> FieldErrorAsync(HttpResponseMessage response, string field)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out var list) ? list[0].GetString() : null;
    }
}
