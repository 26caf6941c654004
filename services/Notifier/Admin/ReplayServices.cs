using SalesMind.Notifier.Data;
using SalesMind.Outbox;

namespace SalesMind.Notifier.Admin;

public static class ReplayServices
{
    /// <summary>
    /// Replays from error queues and the dead-letter queue (<see cref="QueueReplay"/>, section
    /// <c>Replay</c>), and the audit entry of an outbox retry in this service's audit log.
    /// </summary>
    public static IServiceCollection AddReplay(this IServiceCollection services)
    {
        services.AddOptions<ReplayOptions>().BindConfiguration(ReplayOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.SearchDepth >= o.MaxPerCall, "Replay:SearchDepth must be at least Replay:MaxPerCall.")
            .ValidateOnStart();
        services.AddSingleton<QueueReplay>();
        services.AddSingleton<OutboxAdminAudit>(AuditOutboxRetryAsync);
        return services;
    }

    private static async Task AuditOutboxRetryAsync(HttpContext http, string action, IReadOnlyList<RetriedRow> rows, CancellationToken ct)
    {
        var db = http.RequestServices.GetRequiredService<NotifierDb>();
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        AuditLog.Add(db, http.User, now, action, rows.Count == 1 ? $"outbox:{rows[0].Id}" : "outbox", null, new
        {
            Count = rows.Count,
            Rows = rows.Select(r => r.Id).ToList(),
            MessageIds = rows.Select(r => r.MessageId).ToList(),
        });
        await db.SaveChangesAsync(ct);
    }
}
