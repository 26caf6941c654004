using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using SalesMind.Notifier.Data;

namespace SalesMind.Notifier.Rendering;

/// <summary>This folder's tables, as <see cref="NotifierDb"/> properties (the context itself names no feature, so no feature depends on another through it).</summary>
public static class RenderingTables
{
    extension(NotifierDb db)
    {
        public DbSet<EmailTemplate> Templates => db.Set<EmailTemplate>();

        public DbSet<TemplateVersion> TemplateVersions => db.Set<TemplateVersion>();

        public DbSet<Sender> Senders => db.Set<Sender>();
    }
}

internal sealed class EmailTemplateConfiguration : IEntityTypeConfiguration<EmailTemplate>
{
    public void Configure(EntityTypeBuilder<EmailTemplate> e)
    {
        e.ToTable("templates");
        e.HasKey(t => t.Key);
        e.Property(t => t.Key).HasMaxLength(64);
        e.Property(t => t.Description).HasMaxLength(500);
        e.Property(t => t.VariablesJson).HasColumnType("jsonb");
        // A sender in use by a template cannot be deleted from under it.
        e.HasOne<Sender>().WithMany().HasForeignKey(t => t.SenderId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class TemplateVersionConfiguration : IEntityTypeConfiguration<TemplateVersion>
{
    public void Configure(EntityTypeBuilder<TemplateVersion> e)
    {
        e.ToTable("template_versions");
        e.Property(v => v.Id).UseIdentityAlwaysColumn();
        e.Property(v => v.Locale).HasMaxLength(5);
        e.Property(v => v.Note).HasMaxLength(500);
        e.Property(v => v.CreatedBy).HasMaxLength(150);
        e.HasOne<EmailTemplate>().WithMany().HasForeignKey(v => v.TemplateKey).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(v => new { v.TemplateKey, v.Locale, v.Version }).IsUnique();
        // Exactly one active version per template and locale: every render reads it.
        e.HasIndex(v => new { v.TemplateKey, v.Locale }).IsUnique().HasFilter("is_active").HasDatabaseName("ix_template_versions_active");
    }
}

internal sealed class SenderConfiguration : IEntityTypeConfiguration<Sender>
{
    public void Configure(EntityTypeBuilder<Sender> e)
    {
        e.ToTable("senders");
        e.Property(s => s.Address).HasMaxLength(254);
        e.Property(s => s.DisplayName).HasMaxLength(100);
        e.Property(s => s.ReplyTo).HasMaxLength(254);
        e.HasIndex(s => s.Address).IsUnique();
        // At most one default here; "at least one" is a deferred trigger (see the migration).
        e.HasIndex(s => s.IsDefault).IsUnique().HasFilter("is_default").HasDatabaseName("ix_senders_one_default");
    }
}
