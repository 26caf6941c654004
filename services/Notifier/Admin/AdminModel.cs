using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SalesMind.Notifier.Data;

namespace SalesMind.Notifier.Admin;

/// <summary>This folder's tables, as <see cref="NotifierDb"/> properties (the context itself names no feature, so no feature depends on another through it).</summary>
public static class AdminTables
{
    extension(NotifierDb db)
    {
        public DbSet<AuditEntry> AuditEntries => db.Set<AuditEntry>();

        public DbSet<AdminTokenRevocation> AdminTokenRevocations => db.Set<AdminTokenRevocation>();
    }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> e)
    {
        e.ToTable("audit_entries");
        e.Property(a => a.Id).UseIdentityAlwaysColumn();
        e.Property(a => a.Actor).HasMaxLength(150);
        e.Property(a => a.Action).HasMaxLength(64);
        e.Property(a => a.Target).HasMaxLength(200);
        e.Property(a => a.Before).HasColumnType("jsonb");
        e.Property(a => a.After).HasColumnType("jsonb");
        e.HasIndex(a => a.Target);
        // Test sends per admin in the last hour (the test-send limit counts them on every send).
        e.HasIndex(a => new { a.Actor, a.Action, a.At });
    }
}

internal sealed class AdminTokenRevocationConfiguration : IEntityTypeConfiguration<AdminTokenRevocation>
{
    public void Configure(EntityTypeBuilder<AdminTokenRevocation> e)
    {
        e.ToTable("admin_token_revocations");
        e.HasKey(r => r.UserId);
    }
}
