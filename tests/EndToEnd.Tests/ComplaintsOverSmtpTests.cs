using System.Net.Http.Headers;
using System.Text.Json;
using MailKit.Net.Smtp;
using MimeKit;
using SalesMind.Notifier;
using SalesMind.TestSupport;

namespace SalesMind.EndToEnd.Tests;

/// <summary>
/// Complaints against the running stack, as a mailbox provider's feedback loop sends them:
/// through the stack's Postfix to the bounce domain's complaint address, which it hands to the
/// Notifier's report listener. A genuine one marks the verification email complained, suppresses
/// the address and reaches Identity (the users page shows it); a forged one about the same
/// person, built around another sign-up's email, changes nothing and is listed as rejected.
/// </summary>
public sealed class ComplaintsOverSmtpTests
{
    private static readonly string BounceDomain = Environment.GetEnvironmentVariable("SALESMIND_TEST_BOUNCE_DOMAIN") is { Length: > 0 } d ? d : "bounces.salesmind.test";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static async Task<JsonElement> AdminGetAsync(string token, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await FrontDoor.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<JsonElement?> DeliveryAsync(string token, string recipient)
    {
        var page = await AdminGetAsync(token, $"/notifier/api/admin/deliveries?recipient={Uri.EscapeDataString(recipient)}&template=email-verification");
        return page.GetProperty("items").EnumerateArray().Select(x => (JsonElement?)x).FirstOrDefault();
    }

    private static async Task<JsonElement> WaitForAsync(string token, string recipient, string status)
    {
        JsonElement? found = null;
        await Eventually.HoldsAsync(async () => (found = await DeliveryAsync(token, recipient))?.GetProperty("status").GetString() == status,
            Patience, $"the verification email to {recipient} {status} (last seen: {found?.GetProperty("status").GetString() ?? "none"})");
        return found!.Value;
    }

    /// <summary>A signed-up person whose verification email was delivered, and that email as received.</summary>
    private static async Task<(string Email, string Username, MimeMessage Received, string ReturnPath)> SignedUpAsync(string token)
    {
        var form = FrontDoor.NewSignup();
        Assert.True((await FrontDoor.RegisterAsync(form)).IsSuccessStatusCode);
        await WaitForAsync(token, form["email"]!, "delivered");
        var received = Assert.Single(await Mailbox.WaitForAsync(form["email"]!, Patience, template: "email-verification"));
        return (form["email"]!, form["username"]!, received, received.Headers["Return-Path"]!.Trim('<', '>', ' '));
    }

    /// <summary>Through the stack's Postfix, which routes the bounce domain to the Notifier's listener.</summary>
    private static async Task SendThroughMailServerAsync(MimeMessage message, string to)
    {
        using var smtp = new SmtpClient();
        await smtp.ConnectAsync(Stack.SmtpHost, Stack.SmtpPort, MailKit.Security.SecureSocketOptions.None);
        await smtp.SendAsync(message, MailboxAddress.Parse("feedback@arf.mail.yahoo.example"), [MailboxAddress.Parse(to)]);
        await smtp.DisconnectAsync(true);
    }

    [Fact]
    public async Task A_complaint_through_the_mail_server_marks_the_email_complained_and_a_forged_one_changes_nothing()
    {
        var token = await SignUpOverHttpTests.AdminTokenAsync();
        var abuse = $"abuse@{BounceDomain}";
        var victim = await SignedUpAsync(token);
        var attacker = await SignedUpAsync(token);

        // Forged first: the attacker's own verification email, claimed to be the victim's.
        await SendThroughMailServerAsync(ArfMessages.Complaint(attacker.Received, abuse, attacker.ReturnPath, victim.Email), abuse);
        var attackerDelivery = await WaitForAsync(token, attacker.Email, "delivered");
        await Eventually.HoldsAsync(async () =>
            (await AdminGetAsync(token, $"/notifier/api/admin/reports/rejected?delivery={attackerDelivery.GetProperty("id").GetGuid()}"))
            .GetProperty("items").EnumerateArray().Any(r => r.GetProperty("reason").GetString() == "recipient_mismatch"),
            Patience, "the forged complaint listed as rejected");
        Assert.Equal("delivered", (await DeliveryAsync(token, victim.Email))?.GetProperty("status").GetString());

        // The victim's provider passes on the victim's own complaint.
        await SendThroughMailServerAsync(ArfMessages.Complaint(victim.Received, abuse, victim.ReturnPath, victim.Email), abuse);

        await WaitForAsync(token, victim.Email, "complained");
        var suppressions = await AdminGetAsync(token, "/notifier/api/admin/suppressions");
        Assert.Contains(suppressions.EnumerateArray(), s => s.GetProperty("address").GetString() == victim.Email.ToLowerInvariant());
        Assert.DoesNotContain(suppressions.EnumerateArray(), s => s.GetProperty("address").GetString() == attacker.Email.ToLowerInvariant());
        Assert.Equal("delivered", (await DeliveryAsync(token, attacker.Email))?.GetProperty("status").GetString());
        // Identity learns the email's fate from the status event: the users page shows it.
        await Eventually.HoldsAsync(async () =>
        {
            var users = await AdminGetAsync(token, $"/api/admin/users/?q={victim.Username}");
            var delivery = users.GetProperty("users")[0].GetProperty("email_delivery");
            return delivery.ValueKind == JsonValueKind.Object && delivery.GetProperty("status").GetString() == "complained";
        }, Patience, "Identity's record of the address says complained");
    }
}
