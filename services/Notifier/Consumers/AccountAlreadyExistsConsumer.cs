using MassTransit;
using Microsoft.Extensions.Options;
using SalesMind.Contracts;
using SalesMind.Notifier.Deliveries;
using SalesMind.Notifier.Smtp;
using SalesMind.Notifier.Templates;

namespace SalesMind.Notifier.Consumers;

/// <summary>Tells an address's owner that someone tried to sign up with it.</summary>
public sealed partial class AccountAlreadyExistsConsumer(
    TemplateRenderer renderer, DeliveryQueue queue, IOptions<MailOptions> mail, ILogger<AccountAlreadyExistsConsumer> logger)
    : IConsumer<AccountAlreadyExists>
{
    public async Task Consume(ConsumeContext<AccountAlreadyExists> context)
    {
        var m = context.Message;
        var email = await renderer.RenderAsync(TemplateKeys.AccountAlreadyExists, m.Locale, new AccountAlreadyExistsModel(
            m.Username, m.LoginUrl, TemplateRenderer.FormatTime(m.AttemptedAt, m.Locale), mail.Value.SiteName));

        var id = await queue.QueueAsync(context, nameof(AccountAlreadyExistsConsumer), TemplateKeys.AccountAlreadyExists, m.Locale, m.Email, email);
        if (id is null)
        {
            LogDuplicate(context.MessageId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "AccountAlreadyExists {MessageId} was already handled; ignored")]
    private partial void LogDuplicate(Guid? messageId);
}

/// <summary>Retries in memory for passing database hiccups; after that the message goes to the _error queue.</summary>
public sealed class AccountAlreadyExistsConsumerDefinition : ConsumerDefinition<AccountAlreadyExistsConsumer>
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<AccountAlreadyExistsConsumer> consumer, IRegistrationContext context)
    {
        endpoint.UseMessageRetry(r => r.Intervals(100, 500, 2000, 5000));
    }
}
