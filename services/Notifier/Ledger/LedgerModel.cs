using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using SalesMind.Notifier.Data;

namespace SalesMind.Notifier.Ledger;

/// <summary>This folder's tables, as <see cref="NotifierDb"/> properties (the context itself names no feature, so no feature depends on another through it).</summary>
public static class LedgerTables
{
    extension(NotifierDb db)
    {
        public DbSet<Delivery> Deliveries => db.Set<Delivery>();

        public DbSet<DeliveryAttempt> DeliveryAttempts => db.Set<DeliveryAttempt>();

        public DbSet<DeliveryReport> DeliveryReports => db.Set<DeliveryReport>();

        public DbSet<Suppression> Suppressions => db.Set<Suppression>();
    }
}

/// <summary>A <see cref="FailureClass"/> is stored by its lower-case name (null stays null).</summary>
internal static class FailureClassColumn
{
    public static readonly ValueConverter<FailureClass, string> Converter = new(
        c => c.ToString().ToLowerInvariant(),
        s => Enum.Parse<FailureClass>(s, true));
}

internal sealed class DeliveryConfiguration : IEntityTypeConfiguration<Delivery>
{
    /// <summary>The recipient in lower case (a generated column, no property on the entity): exact and prefix search.</summary>
    public const string RecipientKey = nameof(RecipientKey);

    /// <summary>The part of the lower-case recipient after its last <c>@</c> (generated): search by domain.</summary>
    public const string RecipientDomain = nameof(RecipientDomain);

    public void Configure(EntityTypeBuilder<Delivery> e)
    {
        e.ToTable("deliveries");
        e.Property(d => d.Template).HasMaxLength(100);
        e.Property(d => d.Locale).HasMaxLength(5);
        e.Property(d => d.Recipient).HasMaxLength(254);
        e.Property(d => d.Status).HasConversion(
            s => s.ToString().ToLowerInvariant(),
            s => Enum.Parse<DeliveryStatus>(s, ignoreCase: true)).HasMaxLength(20);
        e.Property(d => d.QueueId).HasMaxLength(64);
        e.Property(d => d.FailureClass).HasConversion(FailureClassColumn.Converter).HasMaxLength(20);
        e.Property(d => d.Kind).HasMaxLength(10).HasDefaultValue(DeliveryKinds.Event);
        e.Property(d => d.FromAddress).HasMaxLength(254);
        e.Property(d => d.FromName).HasMaxLength(100);
        e.Property(d => d.ReplyTo).HasMaxLength(254);
        e.Property(d => d.TraceParent).HasMaxLength(128);
        e.Property(d => d.LinksRedacted).HasDefaultValue(false);
        // Belt and braces behind the inbox: one email per event and template, whatever happens.
        e.HasIndex(d => new { d.SourceMessageId, d.Template }).IsUnique();
        // The dispatcher's claim query.
        e.HasIndex(d => new { d.Status, d.NextAttemptAt });
        // The delivery list's recipient search. Stored generated columns, so the database keeps them
        // right whoever writes a row; text_pattern_ops lets "LIKE 'prefix%'" use the index whatever
        // the database's collation.
        e.Property<string>(RecipientKey).HasMaxLength(254).HasComputedColumnSql("lower(recipient)", stored: true);
        e.Property<string>(RecipientDomain).HasMaxLength(254).HasComputedColumnSql("regexp_replace(lower(recipient), '^.*@', '')", stored: true);
        e.HasIndex(RecipientKey).HasOperators("text_pattern_ops");
        e.HasIndex(RecipientDomain);
        // The per-domain activity of the last hour (dashboard) and repeated soft bounces of one address.
        e.HasIndex(d => d.UpdatedAt);
        e.HasMany(d => d.AttemptLog).WithOne().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        e.HasMany(d => d.Reports).WithOne().HasForeignKey(r => r.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        // Reports and the mail log name a delivery by the mail server's queue id.
        e.HasIndex(d => d.QueueId);
        // The dashboard's and the delivery list's time windows.
        e.HasIndex(d => d.CreatedAt);
    }
}

internal sealed class DeliveryAttemptConfiguration : IEntityTypeConfiguration<DeliveryAttempt>
{
    public void Configure(EntityTypeBuilder<DeliveryAttempt> e)
    {
        e.ToTable("delivery_attempts");
        e.Property(a => a.Id).UseIdentityAlwaysColumn();
        e.Property(a => a.Outcome).HasConversion(
            o => o.ToString().ToLowerInvariant(),
            s => Enum.Parse<AttemptOutcome>(s, true)).HasMaxLength(20);
        e.Property(a => a.FailureClass).HasConversion(FailureClassColumn.Converter).HasMaxLength(20);
        e.HasIndex(a => a.DeliveryId);
    }
}

internal sealed class DeliveryReportConfiguration : IEntityTypeConfiguration<DeliveryReport>
{
    public void Configure(EntityTypeBuilder<DeliveryReport> e)
    {
        e.ToTable("delivery_reports");
        e.Property(r => r.Id).UseIdentityAlwaysColumn();
        e.Property(r => r.Source).HasMaxLength(10);
        e.Property(r => r.Action).HasMaxLength(20);
        e.Property(r => r.Status).HasMaxLength(20);
        e.Property(r => r.Diagnostic).HasMaxLength(1000);
        e.Property(r => r.RemoteMta).HasMaxLength(255);
        e.Property(r => r.FailureClass).HasConversion(FailureClassColumn.Converter).HasMaxLength(20);
        e.HasIndex(r => r.DeliveryId);
    }
}

internal sealed class SuppressionConfiguration : IEntityTypeConfiguration<Suppression>
{
    public void Configure(EntityTypeBuilder<Suppression> e)
    {
        e.ToTable("suppressions");
        e.HasKey(x => x.Address);
        e.Property(x => x.Address).HasMaxLength(254);
        e.Property(x => x.Reason).HasMaxLength(1000);
        e.Property(x => x.LiftedBy).HasMaxLength(150);
    }
}
