using MassTransit;
using Microsoft.Extensions.Options;
using SalesMind.Contracts;
using SalesMind.ServiceDefaults;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Intake;

/// <summary>Tells an address's owner that another account tried to move to it.</summary>
public sealed class EmailChangeAttemptedConsumer(DeliveryQueue queue, IOptions<MailOptions> mail)
    : IConsumer<EmailChangeAttempted>
{
    public async Task Consume(ConsumeContext<EmailChangeAttempted> context)
    {
        var m = context.Message;
        var model = new EmailChangeAttemptedModel(m.Username, m.LoginUrl, TemplateTime.Format(m.AttemptedAt, m.Locale), mail.Value.SiteName);

        await queue.QueueAsync(context, nameof(EmailChangeAttemptedConsumer), TemplateKeys.EmailChangeAttempted, m.Locale, m.Email, model);
    }
}

public sealed class EmailChangeAttemptedConsumerDefinition : RetryingConsumerDefinition<EmailChangeAttemptedConsumer>;
