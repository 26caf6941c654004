namespace SalesMind.Notifier.Webhooks;

public static class WebhookServices
{
    /// <summary>Outcome webhooks: options, the secrets' sealer, the poster with its address guard, and the sender.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<WebhookSignal>();
        services.AddSingleton<WebhookPoster>();
        services.AddHostedService<WebhookSender>();
        return services;
    }
}
