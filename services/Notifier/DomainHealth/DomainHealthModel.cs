using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SalesMind.Notifier.Data;

namespace SalesMind.Notifier.DomainHealth;

/// <summary>This folder's tables, as <see cref="NotifierDb"/> properties (the context itself names no feature, so no feature depends on another through it).</summary>
public static class DomainHealthTables
{
    extension(NotifierDb db)
    {
        public DbSet<DmarcReport> DmarcReports => db.Set<DmarcReport>();

        public DbSet<DmarcReportRecord> DmarcReportRecords => db.Set<DmarcReportRecord>();
    }
}

internal sealed class DmarcReportConfiguration : IEntityTypeConfiguration<DmarcReport>
{
    public void Configure(EntityTypeBuilder<DmarcReport> e)
    {
        e.ToTable("dmarc_reports");
        e.Property(r => r.Id).UseIdentityAlwaysColumn();
        e.Property(r => r.OrgName).HasMaxLength(200);
        e.Property(r => r.ReportId).HasMaxLength(200);
        e.Property(r => r.Domain).HasMaxLength(254);
        e.Property(r => r.Policy).HasMaxLength(20);
        e.HasIndex(r => new { r.OrgName, r.ReportId }).IsUnique();
        e.HasIndex(r => new { r.Domain, r.EndAt });
        e.HasMany(r => r.Records).WithOne().HasForeignKey(x => x.DmarcReportId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DmarcReportRecordConfiguration : IEntityTypeConfiguration<DmarcReportRecord>
{
    public void Configure(EntityTypeBuilder<DmarcReportRecord> e)
    {
        e.ToTable("dmarc_report_records");
        e.Property(x => x.Id).UseIdentityAlwaysColumn();
        e.Property(x => x.SourceIp).HasMaxLength(45);
        e.Property(x => x.Disposition).HasMaxLength(20);
        e.Property(x => x.Dkim).HasMaxLength(20);
        e.Property(x => x.Spf).HasMaxLength(20);
        e.Property(x => x.HeaderFrom).HasMaxLength(254);
        e.HasIndex(x => x.DmarcReportId);
    }
}
