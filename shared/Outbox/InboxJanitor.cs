using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SalesMind.Outbox;

/// <summary>Deletes inbox rows older than the retention, once an hour.</summary>
public sealed partial class InboxJanitor(
    OutboxDataSource dataSource, IOptions<OutboxOptions> options, TimeProvider time, ILogger<InboxJanitor> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var delete = dataSource.Value.CreateCommand(
                    "DELETE FROM inbox_message WHERE received_at < now() - $1");
                delete.Parameters.Add(new Npgsql.NpgsqlParameter { Value = options.Value.InboxRetention });
                var deleted = await delete.ExecuteNonQueryAsync(stoppingToken);
                if (deleted > 0)
                {
                    LogDeleted(deleted);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(ex);
            }

            try
            {
                await Task.Delay(TimeSpan.FromHours(1), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} expired inbox rows")]
    private partial void LogDeleted(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inbox clean-up failed; trying again in an hour")]
    private partial void LogFailed(Exception ex);
}
