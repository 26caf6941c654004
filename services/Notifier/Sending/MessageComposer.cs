using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using MimeKit;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Sending;

/// <summary>Turns a delivery row into the MIME message handed to the mail server.</summary>
public sealed class MessageComposer(BodySealer sealer, IOptions<MailOptions> mail)
{
    /// <summary>The message for one attempt; throws <see cref="ParseException"/> for an unusable recipient and <see cref="LinkUnavailableException"/> for a link that is gone.</summary>
    public MimeMessage Compose(Delivery delivery)
    {
        var from = mail.Value;
        var message = new MimeMessage();
        // The sender chosen when the email was rendered; rows from before senders existed use the configured one.
        message.From.Add(new MailboxAddress(delivery.FromName ?? from.FromName, delivery.FromAddress ?? from.FromAddress));
        if (delivery.ReplyTo is { } replyTo)
        {
            message.ReplyTo.Add(MailboxAddress.Parse(replyTo));
        }

        var to = MailboxAddress.Parse(delivery.Recipient);
        if (!string.Equals(to.Address, delivery.Recipient, StringComparison.OrdinalIgnoreCase))
        {
            // "x <a@b.c>" must not become a@b.c: only a bare address is a recipient.
            throw new ParseException($"'{delivery.Recipient}' is not a bare address.", 0, 0);
        }

        message.To.Add(to);
        var live = LiveRendering(delivery);
        message.Subject = live.Subject;
        message.Date = delivery.CreatedAt;
        // The same Message-ID on every attempt: if a resend ever happens, it is visibly the same email.
        message.MessageId = delivery.MessageIdHeader(from.MessageIdDomain);
        message.Headers.Add("X-SalesMind-Delivery", delivery.Id.ToString());
        message.Headers.Add("X-SalesMind-Template", delivery.Template);
        if (delivery.Kind == DeliveryKinds.Test)
        {
            message.Headers.Add("X-SalesMind-Test", "true");
        }

        message.Body = new BodyBuilder { TextBody = live.Text, HtmlBody = live.Html }.ToMessageBody();
        return message;
    }

    /// <summary>What to send: the sealed rendering with working links, or the stored one when the email has no secret link.</summary>
    private RenderedEmail LiveRendering(Delivery delivery)
    {
        if (delivery.SealedBody is { } sealedBody)
        {
            try
            {
                return sealer.Open(delivery.Id, sealedBody);
            }
            catch (CryptographicException)
            {
                throw new LinkUnavailableException(
                    "The email's working link cannot be opened (was Notifier:BodyEncryptionKey changed?): the user needs to ask for a new link.");
            }
        }

        if (delivery.LinksRedacted)
        {
            // Never send the redacted copy: its link would not work.
            throw new LinkUnavailableException("The email's single-use link is no longer kept: the user needs to ask for a new link.");
        }

        return new RenderedEmail(delivery.Subject, delivery.HtmlBody, delivery.TextBody);
    }
}

/// <summary>The working copy of an email with a secret link is gone or unreadable: it cannot be sent.</summary>
public sealed class LinkUnavailableException(string message) : Exception(message);
