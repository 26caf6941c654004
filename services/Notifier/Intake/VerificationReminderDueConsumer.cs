using MassTransit;
using Microsoft.Extensions.Options;
using SalesMind.Contracts;
using SalesMind.ServiceDefaults;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Intake;

/// <summary>Sends the one reminder to an account still unverified a day after sign-up.</summary>
public sealed class VerificationReminderDueConsumer(DeliveryQueue queue, IOptions<MailOptions> mail)
    : IConsumer<VerificationReminderDue>
{
    public async Task Consume(ConsumeContext<VerificationReminderDue> context)
    {
        var m = context.Message;
        var model = new VerificationReminderModel(
            m.Username, m.VerificationUrl, UserRegisteredConsumer.CodeOf(m.VerificationCode), TemplateTime.Format(m.ExpiresAt, m.Locale),
            TemplateTime.Format(m.DeletionAt, m.Locale), mail.Value.SiteName);

        await queue.QueueAsync(context, nameof(VerificationReminderDueConsumer), TemplateKeys.VerificationReminder, m.Locale, m.Email, model);
    }
}

public sealed class VerificationReminderDueConsumerDefinition : RetryingConsumerDefinition<VerificationReminderDueConsumer>;
