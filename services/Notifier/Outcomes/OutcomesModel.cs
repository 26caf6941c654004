using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SalesMind.Notifier.Data;

namespace SalesMind.Notifier.Outcomes;

/// <summary>This folder's tables, as <see cref="NotifierDb"/> properties (the context itself names no feature, so no feature depends on another through it).</summary>
public static class OutcomesTables
{
    extension(NotifierDb db)
    {
        public DbSet<RejectedReport> RejectedReports => db.Set<RejectedReport>();

        public DbSet<MailLogPosition> MailLogPositions => db.Set<MailLogPosition>();
    }
}

internal sealed class RejectedReportConfiguration : IEntityTypeConfiguration<RejectedReport>
{
    public void Configure(EntityTypeBuilder<RejectedReport> e)
    {
        e.ToTable("rejected_reports");
        e.Property(r => r.Id).UseIdentityAlwaysColumn();
        e.Property(r => r.Reason).HasConversion<string>().HasMaxLength(30);
        e.Property(r => r.Detail).HasMaxLength(500);
        e.Property(r => r.ReturnPath).HasMaxLength(320);
        e.Property(r => r.Sender).HasMaxLength(320);
        e.Property(r => r.RemoteAddress).HasMaxLength(64);
        e.Property(r => r.EnvelopeId).HasMaxLength(100);
        e.Property(r => r.QueueId).HasMaxLength(64);
        e.Property(r => r.FinalRecipient).HasMaxLength(320);
        e.Property(r => r.Action).HasMaxLength(20);
        e.Property(r => r.Status).HasMaxLength(20);
        // No foreign key: a rejected report may name a delivery that does not exist, and is
        // kept as evidence whatever happens to the delivery. Indexed for the delivery's view.
        e.HasIndex(r => r.DeliveryId);
    }
}

internal sealed class MailLogPositionConfiguration : IEntityTypeConfiguration<MailLogPosition>
{
    public void Configure(EntityTypeBuilder<MailLogPosition> e)
    {
        e.ToTable("mail_log_positions");
        e.HasKey(c => c.Name);
        e.Property(c => c.Name).HasMaxLength(50);
        e.Property(c => c.FileId).HasMaxLength(100);
        e.Property(c => c.FirstLineHash).HasMaxLength(64);
    }
}
