using System.Diagnostics;

namespace SalesMind.Notifier.Templates;

/// <summary>Compiles the templates in the background right after start-up.</summary>
public sealed partial class TemplateWarmUp(TemplateRenderer renderer, ILogger<TemplateWarmUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await renderer.WarmUpAsync(stoppingToken);
            LogWarm(clock.ElapsedMilliseconds);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // A template that does not compile fails its first real render too, with the same error.
            LogFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Email templates compiled in {ElapsedMs} ms")]
    private partial void LogWarm(long elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Compiling the email templates failed")]
    private partial void LogFailed(Exception ex);
}
