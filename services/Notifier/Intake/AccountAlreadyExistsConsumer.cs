using MassTransit;
using Microsoft.Extensions.Options;
using SalesMind.Contracts;
using SalesMind.ServiceDefaults;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Intake;

/// <summary>Tells an address's owner that someone tried to sign up with it.</summary>
public sealed class AccountAlreadyExistsConsumer(DeliveryQueue queue, IOptions<MailOptions> mail)
    : IConsumer<AccountAlreadyExists>
{
    public async Task Consume(ConsumeContext<AccountAlreadyExists> context)
    {
        var m = context.Message;
        var model = new AccountAlreadyExistsModel(
            m.Username, m.LoginUrl, TemplateTime.Format(m.AttemptedAt, m.Locale), mail.Value.SiteName);

        await queue.QueueAsync(context, nameof(AccountAlreadyExistsConsumer), TemplateKeys.AccountAlreadyExists, m.Locale, m.Email, model);
    }
}

public sealed class AccountAlreadyExistsConsumerDefinition : RetryingConsumerDefinition<AccountAlreadyExistsConsumer>;
