using MassTransit;
using Microsoft.Extensions.Options;
using SalesMind.Contracts;
using SalesMind.ServiceDefaults;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Intake;

/// <summary>Tells the old address that the account moved away from it, with the undo link.</summary>
public sealed class EmailChangedConsumer(DeliveryQueue queue, IOptions<MailOptions> mail)
    : IConsumer<EmailChanged>
{
    public async Task Consume(ConsumeContext<EmailChanged> context)
    {
        var m = context.Message;
        var model = new EmailChangedModel(
            m.Username, m.NewEmail, m.UndoUrl, TemplateTime.Format(m.UndoExpiresAt, m.Locale), TemplateTime.Format(m.ChangedAt, m.Locale),
            mail.Value.SiteName);

        await queue.QueueAsync(context, nameof(EmailChangedConsumer), TemplateKeys.EmailChanged, m.Locale, m.Email, model);
    }
}

public sealed class EmailChangedConsumerDefinition : RetryingConsumerDefinition<EmailChangedConsumer>;
