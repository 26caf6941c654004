using Microsoft.EntityFrameworkCore;
using SalesMind.Notifier.Deliveries;
using SalesMind.Outbox;
using SalesMind.ServiceDefaults;

namespace SalesMind.Notifier.Data;

public sealed class NotifierDb(DbContextOptions<NotifierDb> options) : DbContext(options)
{
    public DbSet<Delivery> Deliveries => Set<Delivery>();

    public DbSet<DeliveryAttempt> DeliveryAttempts => Set<DeliveryAttempt>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<Delivery>(e =>
        {
            e.ToTable("deliveries");
            e.Property(d => d.Template).HasMaxLength(100);
            e.Property(d => d.Locale).HasMaxLength(5);
            e.Property(d => d.Recipient).HasMaxLength(254);
            e.Property(d => d.Status).HasConversion(
                s => s.ToString().ToLowerInvariant(),
                s => Enum.Parse<DeliveryStatus>(s, ignoreCase: true)).HasMaxLength(20);
            e.Property(d => d.QueueId).HasMaxLength(64);
            // Belt and braces behind the inbox: one email per event and template, whatever happens.
            e.HasIndex(d => new { d.SourceMessageId, d.Template }).IsUnique();
            // The dispatcher's claim query.
            e.HasIndex(d => new { d.Status, d.NextAttemptAt });
            e.HasIndex(d => d.Recipient);
            e.HasMany(d => d.AttemptLog).WithOne().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<DeliveryAttempt>(e =>
        {
            e.ToTable("delivery_attempts");
            e.Property(a => a.Id).UseIdentityAlwaysColumn();
            e.Property(a => a.Outcome).HasMaxLength(20);
            e.HasIndex(a => a.DeliveryId);
        });

        model.AddOutbox();
        model.AddInbox();
        model.UseSnakeCaseNames();
    }
}
