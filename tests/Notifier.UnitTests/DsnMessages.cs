using MimeKit;

namespace SalesMind.Notifier;

/// <summary>
/// Delivery status notifications as a mail server writes them (the unit tests read them, the
/// integration tests, which compile this file too, send them).
/// </summary>
internal static class DsnMessages
{
    internal static MimeMessage Report(string? envelopeId, string? queueId, string action, string status, string diagnostic, string to,
        string finalRecipient = "someone@example.com", int groups = 1)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Mail Delivery System", "MAILER-DAEMON@mail.salesmind.localhost"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = "Undelivered Mail Returned to Sender";
        var report = new MultipartReport("delivery-status") { new TextPart("plain") { Text = "This is the mail system." } };
        var deliveryStatus = new MessageDeliveryStatus();
        var perMessage = new HeaderList { { "Reporting-MTA", "dns; mail.salesmind.localhost" } };
        if (queueId is not null)
        {
            perMessage.Add("X-Postfix-Queue-ID", queueId);
        }

        if (envelopeId is not null)
        {
            perMessage.Add("Original-Envelope-Id", envelopeId);
        }

        deliveryStatus.StatusGroups.Add(perMessage);
        for (var i = 0; i < groups; i++)
        {
            deliveryStatus.StatusGroups.Add(new HeaderList
            {
                { "Final-Recipient", $"rfc822; {finalRecipient}" },
                { "Action", action },
                { "Status", status },
                { "Remote-MTA", "dns; mx.example.com" },
                { "Diagnostic-Code", $"smtp; {diagnostic}" },
            });
        }

        report.Add(deliveryStatus);
        message.Body = report;
        return message;
    }
}
