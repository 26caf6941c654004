using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SalesMind.Notifier.Data;

namespace SalesMind.Notifier.Webhooks;

/// <summary>This folder's tables, as <see cref="NotifierDb"/> properties (the context itself names no feature, so no feature depends on another through it).</summary>
public static class WebhooksTables
{
    extension(NotifierDb db)
    {
        public DbSet<WebhookEndpoint> WebhookEndpoints => db.Set<WebhookEndpoint>();

        public DbSet<WebhookDelivery> WebhookDeliveries => db.Set<WebhookDelivery>();

        public DbSet<WebhookAttempt> WebhookAttempts => db.Set<WebhookAttempt>();
    }
}

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> e)
    {
        e.ToTable("webhook_endpoints");
        e.Property(w => w.Url).HasMaxLength(2048);
        e.Property(w => w.Description).HasMaxLength(200);
        e.Property(w => w.CreatedBy).HasMaxLength(150);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> e)
    {
        e.ToTable("webhook_deliveries");
        e.Property(w => w.EventType).HasMaxLength(50);
        e.Property(w => w.Payload).HasColumnType("jsonb");
        e.Property(w => w.Status).HasMaxLength(20);
        e.Property(w => w.LastError).HasMaxLength(1000);
        // One row per event and endpoint, whatever redelivers the event.
        e.HasIndex(w => new { w.EndpointId, w.EventId }).IsUnique();
        // The sender's claim query.
        e.HasIndex(w => new { w.Status, w.NextAttemptAt });
        // The endpoint's delivery log, newest first.
        e.HasIndex(w => new { w.EndpointId, w.CreatedAt });
        e.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(w => w.EndpointId).OnDelete(DeleteBehavior.Cascade);
        e.HasMany(w => w.AttemptLog).WithOne().HasForeignKey(a => a.WebhookDeliveryId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WebhookAttemptConfiguration : IEntityTypeConfiguration<WebhookAttempt>
{
    public void Configure(EntityTypeBuilder<WebhookAttempt> e)
    {
        e.ToTable("webhook_attempts");
        e.Property(a => a.Id).UseIdentityAlwaysColumn();
        e.Property(a => a.Error).HasMaxLength(1000);
        e.HasIndex(a => a.WebhookDeliveryId);
    }
}
