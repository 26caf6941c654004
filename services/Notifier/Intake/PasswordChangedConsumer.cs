using MassTransit;
using Microsoft.Extensions.Options;
using SalesMind.Contracts;
using SalesMind.ServiceDefaults;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Intake;

/// <summary>Tells an account's owner that its password was changed (from a signed-in session).</summary>
public sealed class PasswordChangedConsumer(DeliveryQueue queue, IOptions<MailOptions> mail)
    : IConsumer<PasswordChanged>
{
    public async Task Consume(ConsumeContext<PasswordChanged> context)
    {
        var m = context.Message;
        // An unknown browser is still named, so the sentence reads whole.
        var device = m.Device.Length > 0 ? m.Device : m.Locale == "en" ? "unknown browser" : "不明なブラウザー";
        var model = new PasswordChangedModel(
            m.Username, TemplateTime.Format(m.ChangedAt, m.Locale), device, m.ForgotPasswordUrl, mail.Value.SiteName);

        await queue.QueueAsync(context, nameof(PasswordChangedConsumer), TemplateKeys.PasswordChanged, m.Locale, m.Email, model);
    }
}

public sealed class PasswordChangedConsumerDefinition : RetryingConsumerDefinition<PasswordChangedConsumer>;
