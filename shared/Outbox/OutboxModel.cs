using Microsoft.EntityFrameworkCore;

namespace SalesMind.Outbox;

/// <summary>Maps the outbox and inbox tables into a service's own DbContext.</summary>
public static class OutboxModel
{
    public const string NotifyChannel = "outbox";

    public static ModelBuilder AddOutbox(this ModelBuilder model)
    {
        model.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox_message");
            e.HasKey(m => m.Id);
            e.Property(m => m.Id).HasColumnName("id").UseIdentityAlwaysColumn();
            e.Property(m => m.MessageId).HasColumnName("message_id");
            e.Property(m => m.MessageType).HasColumnName("message_type").HasMaxLength(256);
            e.Property(m => m.Body).HasColumnName("body").HasColumnType("jsonb");
            e.Property(m => m.TraceParent).HasColumnName("trace_parent").HasMaxLength(128);
            e.Property(m => m.CreatedAt).HasColumnName("created_at");
            e.Property(m => m.AvailableAt).HasColumnName("available_at");
            e.Property(m => m.LockedUntil).HasColumnName("locked_until");
            e.Property(m => m.Attempts).HasColumnName("attempts");
            e.Property(m => m.LastError).HasColumnName("last_error");
            e.Property(m => m.DeadLetteredAt).HasColumnName("dead_lettered_at");
            e.HasIndex(m => m.MessageId).IsUnique();
            // The relay's claim query scans only live rows in id order.
            e.HasIndex(m => m.Id).HasDatabaseName("ix_outbox_message_pending")
                .HasFilter("dead_lettered_at IS NULL");
        });
        return model;
    }

    public static ModelBuilder AddInbox(this ModelBuilder model)
    {
        model.Entity<InboxMessage>(e =>
        {
            e.ToTable("inbox_message");
            e.HasKey(m => new { m.MessageId, m.Consumer });
            e.Property(m => m.MessageId).HasColumnName("message_id");
            e.Property(m => m.Consumer).HasColumnName("consumer").HasMaxLength(200);
            e.Property(m => m.ReceivedAt).HasColumnName("received_at");
            e.HasIndex(m => m.ReceivedAt);
        });
        return model;
    }

    /// <summary>
    /// SQL for a migration: a statement trigger that wakes listening relays when outbox rows are
    /// inserted. NOTIFY inside the writer's transaction is delivered only at commit, and not at all
    /// on rollback, which is exactly when a relay should look.
    /// </summary>
    public const string CreateNotifyTriggerSql = $"""
        CREATE OR REPLACE FUNCTION outbox_message_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('{NotifyChannel}', '');
          RETURN NULL;
        END $$;
        CREATE TRIGGER outbox_message_notify AFTER INSERT ON outbox_message
          FOR EACH STATEMENT EXECUTE FUNCTION outbox_message_notify();
        """;

    public const string DropNotifyTriggerSql = """
        DROP TRIGGER IF EXISTS outbox_message_notify ON outbox_message;
        DROP FUNCTION IF EXISTS outbox_message_notify();
        """;
}
