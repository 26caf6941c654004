using MassTransit;
using Microsoft.Extensions.Options;
using SalesMind.Contracts;
using SalesMind.ServiceDefaults;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Intake;

/// <summary>Sends the link to set a new password.</summary>
public sealed class PasswordResetRequestedConsumer(DeliveryQueue queue, IOptions<MailOptions> mail)
    : IConsumer<PasswordResetRequested>
{
    public async Task Consume(ConsumeContext<PasswordResetRequested> context)
    {
        var m = context.Message;
        var model = new PasswordResetModel(
            m.Username, m.ResetUrl, TemplateTime.Format(m.ExpiresAt, m.Locale), mail.Value.SiteName);

        await queue.QueueAsync(context, nameof(PasswordResetRequestedConsumer), TemplateKeys.PasswordReset, m.Locale, m.Email, model);
    }
}

public sealed class PasswordResetRequestedConsumerDefinition : RetryingConsumerDefinition<PasswordResetRequestedConsumer>;
