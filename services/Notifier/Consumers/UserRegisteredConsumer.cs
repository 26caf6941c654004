using MassTransit;
using Microsoft.Extensions.Options;
using SalesMind.Contracts;
using SalesMind.Notifier.Deliveries;
using SalesMind.Notifier.Smtp;
using SalesMind.Notifier.Templates;

namespace SalesMind.Notifier.Consumers;

/// <summary>Sends the verification email of a new sign-up.</summary>
public sealed partial class UserRegisteredConsumer(
    TemplateRenderer renderer, DeliveryQueue queue, IOptions<MailOptions> mail, ILogger<UserRegisteredConsumer> logger)
    : IConsumer<UserRegistered>
{
    public async Task Consume(ConsumeContext<UserRegistered> context)
    {
        var m = context.Message;
        var email = await renderer.RenderAsync(TemplateKeys.EmailVerification, m.Locale, new EmailVerificationModel(
            m.Username, m.VerificationUrl, TemplateRenderer.FormatTime(m.ExpiresAt, m.Locale), mail.Value.SiteName));

        var id = await queue.QueueAsync(context, nameof(UserRegisteredConsumer), TemplateKeys.EmailVerification, m.Locale, m.Email, email);
        if (id is null)
        {
            LogDuplicate(context.MessageId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "UserRegistered {MessageId} was already handled; ignored")]
    private partial void LogDuplicate(Guid? messageId);
}

/// <summary>Retries in memory for passing database hiccups; after that the message goes to the _error queue.</summary>
public sealed class UserRegisteredConsumerDefinition : ConsumerDefinition<UserRegisteredConsumer>
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<UserRegisteredConsumer> consumer, IRegistrationContext context)
    {
        endpoint.UseMessageRetry(r => r.Intervals(100, 500, 2000, 5000));
    }
}
