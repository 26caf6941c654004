using MassTransit;
using Microsoft.Extensions.Options;
using SalesMind.Contracts;
using SalesMind.ServiceDefaults;
using SalesMind.Notifier.Rendering;

namespace SalesMind.Notifier.Intake;

/// <summary>Sends the verification email of a new sign-up.</summary>
public sealed class UserRegisteredConsumer(DeliveryQueue queue, IOptions<MailOptions> mail)
    : IConsumer<UserRegistered>
{
    public async Task Consume(ConsumeContext<UserRegistered> context)
    {
        var m = context.Message;
        var model = new EmailVerificationModel(
            m.Username, m.VerificationUrl, CodeOf(m.VerificationCode), TemplateTime.Format(m.ExpiresAt, m.Locale), mail.Value.SiteName);

        await queue.QueueAsync(context, nameof(UserRegisteredConsumer), TemplateKeys.EmailVerification, m.Locale, m.Email, model);
    }

    /// <summary>The code to print; a message written before codes existed has none, and its email shows a dash (its link still works).</summary>
    internal static string CodeOf(string? code) => string.IsNullOrEmpty(code) ? "-" : code;
}

public sealed class UserRegisteredConsumerDefinition : RetryingConsumerDefinition<UserRegisteredConsumer>;
