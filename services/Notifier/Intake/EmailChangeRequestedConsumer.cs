using MassTransit;
using Microsoft.Extensions.Options;
using SalesMind.Contracts;
using SalesMind.ServiceDefaults;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Intake;

/// <summary>Sends the link and code that confirm an address change, to the new address.</summary>
public sealed class EmailChangeRequestedConsumer(DeliveryQueue queue, IOptions<MailOptions> mail)
    : IConsumer<EmailChangeRequested>
{
    public async Task Consume(ConsumeContext<EmailChangeRequested> context)
    {
        var m = context.Message;
        var model = new EmailChangeConfirmModel(
            m.Username, m.Email, m.ConfirmUrl, m.Code, TemplateTime.Format(m.ExpiresAt, m.Locale), mail.Value.SiteName);

        await queue.QueueAsync(context, nameof(EmailChangeRequestedConsumer), TemplateKeys.EmailChangeConfirm, m.Locale, m.Email, model);
    }
}

public sealed class EmailChangeRequestedConsumerDefinition : RetryingConsumerDefinition<EmailChangeRequestedConsumer>;
