using MassTransit;
using Microsoft.Extensions.Options;
using SalesMind.Contracts;
using SalesMind.Notifier.Deliveries;
using SalesMind.Notifier.Smtp;
using SalesMind.Notifier.Templates;
using SalesMind.ServiceDefaults;

namespace SalesMind.Notifier.Consumers;

/// <summary>Sends the verification email of a new sign-up.</summary>
public sealed class UserRegisteredConsumer(TemplateRenderer renderer, DeliveryQueue queue, IOptions<MailOptions> mail)
    : IConsumer<UserRegistered>
{
    public async Task Consume(ConsumeContext<UserRegistered> context)
    {
        var m = context.Message;
        var email = await renderer.RenderAsync(TemplateKeys.EmailVerification, m.Locale, new EmailVerificationModel(
            m.Username, m.VerificationUrl, TemplateRenderer.FormatTime(m.ExpiresAt, m.Locale), mail.Value.SiteName));

        await queue.QueueAsync(context, nameof(UserRegisteredConsumer), TemplateKeys.EmailVerification, m.Locale, m.Email, email);
    }
}

public sealed class UserRegisteredConsumerDefinition : RetryingConsumerDefinition<UserRegisteredConsumer>;
