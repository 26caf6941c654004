using MassTransit;
using Microsoft.Extensions.Options;
using SalesMind.Contracts;
using SalesMind.ServiceDefaults;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Intake;

/// <summary>Welcomes a user whose address was just confirmed.</summary>
public sealed class UserEmailVerifiedConsumer(DeliveryQueue queue, IOptions<MailOptions> mail)
    : IConsumer<UserEmailVerified>
{
    public async Task Consume(ConsumeContext<UserEmailVerified> context)
    {
        var m = context.Message;
        if (m.Username is null || m.LoginUrl is null)
        {
            // An event from before these fields existed: nothing to greet the user with.
            return;
        }

        var locale = m.Locale ?? TemplateCatalog.Locales[0];
        var model = new WelcomeModel(m.Username, m.LoginUrl, mail.Value.SiteName);
        await queue.QueueAsync(context, nameof(UserEmailVerifiedConsumer), TemplateKeys.Welcome, locale, m.Email, model);
    }
}

public sealed class UserEmailVerifiedConsumerDefinition : RetryingConsumerDefinition<UserEmailVerifiedConsumer>;
