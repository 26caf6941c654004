using MassTransit;

namespace SalesMind.Notifier.Consumers;

/// <summary>
/// The Notifier's consumers only touch their own database: a few quick in-memory retries ride
/// out a database hiccup or a deadlock; a message that still fails goes to the queue's
/// <c>_error</c> queue for an operator, instead of blocking the queue.
/// </summary>
public abstract class RetryingConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<TConsumer> consumer, IRegistrationContext context)
    {
        endpoint.UseMessageRetry(r => r.Intervals(100, 500, 2000, 5000));
    }
}
