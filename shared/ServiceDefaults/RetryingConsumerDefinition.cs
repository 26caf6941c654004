using MassTransit;
using Npgsql;

namespace SalesMind.ServiceDefaults;

/// <summary>
/// Consumers here only touch their own database. A database that is restarting or
/// unreachable is waited out (exponential retries for about five minutes) so no event goes to
/// the error queue because of an outage; any other failure is the message's own (a poison
/// message) and goes to the queue's <c>_error</c> queue at once, without holding up the others.
/// </summary>
public abstract class RetryingConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<TConsumer> consumer, IRegistrationContext context)
    {
        endpoint.UseMessageRetry(r =>
        {
            r.Handle<Exception>(IsTransient);
            r.Exponential(12, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(500));
        });
    }

    internal static bool IsTransient(Exception ex) => ex switch
    {
        NpgsqlException npgsql => npgsql.IsTransient,
        TimeoutException => true,
        _ => ex.InnerException is not null && IsTransient(ex.InnerException),
    };
}
