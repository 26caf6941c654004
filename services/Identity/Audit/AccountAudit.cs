using System.Text.Json;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Data;

namespace SalesMind.Identity.Audit;

/// <summary>Writing <see cref="AccountAuditEntry"/> rows, in the caller's transaction.</summary>
public static class AccountAudit
{
    /// <summary>The actor of changes nobody asked for in person (the clean-up jobs).</summary>
    public const string System = "system";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>
    /// Records one change to <paramref name="targetUserId"/> by <paramref name="actor"/> (null:
    /// the system). <paramref name="before"/> and <paramref name="after"/> are objects of the
    /// changed fields only (anonymous objects are fine); never pass a password, hash or token.
    /// </summary>
    public static AccountAuditEntry Add(
        IdentityDb db, User? actor, Guid targetUserId, string action, object? before, object? after, DateTimeOffset now)
    {
        var entry = new AccountAuditEntry
        {
            Id = Guid.CreateVersion7(now),
            At = now,
            ActorId = actor?.Id,
            ActorName = actor?.Username ?? System,
            TargetUserId = targetUserId,
            Action = action,
            Before = before is null ? null : JsonSerializer.Serialize(before, Json),
            After = after is null ? null : JsonSerializer.Serialize(after, Json),
        };
        db.AccountAudit.Add(entry);
        return entry;
    }
}
