using Microsoft.EntityFrameworkCore;
using SalesMind.Notifier.AdminAccess;
using SalesMind.Notifier.Audit;
using SalesMind.Notifier.Deliveries;
using SalesMind.Notifier.Reports;
using SalesMind.Notifier.Senders;
using SalesMind.Notifier.Templates;
using SalesMind.Outbox;
using SalesMind.ServiceDefaults;

namespace SalesMind.Notifier.Data;

public sealed class NotifierDb(DbContextOptions<NotifierDb> options) : DbContext(options)
{
    public DbSet<Delivery> Deliveries => Set<Delivery>();

    public DbSet<DeliveryAttempt> DeliveryAttempts => Set<DeliveryAttempt>();

    public DbSet<DeliveryReport> DeliveryReports => Set<DeliveryReport>();

    public DbSet<Suppression> Suppressions => Set<Suppression>();

    public DbSet<RejectedReport> RejectedReports => Set<RejectedReport>();

    public DbSet<EmailTemplate> Templates => Set<EmailTemplate>();

    public DbSet<TemplateVersion> TemplateVersions => Set<TemplateVersion>();

    public DbSet<Sender> Senders => Set<Sender>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<AdminTokenRevocation> AdminTokenRevocations => Set<AdminTokenRevocation>();

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
            e.HasIndex(d => d.Recipient);
            e.HasMany(d => d.AttemptLog).WithOne().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(d => d.Reports).WithOne().HasForeignKey(r => r.DeliveryId).OnDelete(DeleteBehavior.Cascade);
            // Reports and the mail log name a delivery by the mail server's queue id.
            e.HasIndex(d => d.QueueId);
            // The dashboard's and the delivery list's time windows.
            e.HasIndex(d => d.CreatedAt);
        });
        model.Entity<DeliveryReport>(e =>
        {
            e.ToTable("delivery_reports");
            e.Property(r => r.Id).UseIdentityAlwaysColumn();
            e.Property(r => r.Source).HasMaxLength(10);
            e.Property(r => r.Action).HasMaxLength(20);
            e.Property(r => r.Status).HasMaxLength(20);
            e.Property(r => r.Diagnostic).HasMaxLength(1000);
            e.Property(r => r.RemoteMta).HasMaxLength(255);
            e.HasIndex(r => r.DeliveryId);
        });
        model.Entity<RejectedReport>(e =>
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
        });
        model.Entity<Suppression>(e =>
        {
            e.ToTable("suppressions");
            e.HasKey(x => x.Address);
            e.Property(x => x.Address).HasMaxLength(254);
            e.Property(x => x.Reason).HasMaxLength(1000);
            e.Property(x => x.LiftedBy).HasMaxLength(150);
        });
        model.Entity<DeliveryAttempt>(e =>
        {
            e.ToTable("delivery_attempts");
            e.Property(a => a.Id).UseIdentityAlwaysColumn();
            e.Property(a => a.Outcome).HasMaxLength(20);
            e.HasIndex(a => a.DeliveryId);
        });

        model.Entity<EmailTemplate>(e =>
        {
            e.ToTable("templates");
            e.HasKey(t => t.Key);
            e.Property(t => t.Key).HasMaxLength(64);
            e.Property(t => t.Description).HasMaxLength(500);
            e.Property(t => t.VariablesJson).HasColumnType("jsonb");
            // A sender in use by a template cannot be deleted from under it.
            e.HasOne<Sender>().WithMany().HasForeignKey(t => t.SenderId).OnDelete(DeleteBehavior.Restrict);
        });
        model.Entity<TemplateVersion>(e =>
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
        });
        model.Entity<Sender>(e =>
        {
            e.ToTable("senders");
            e.Property(s => s.Address).HasMaxLength(254);
            e.Property(s => s.DisplayName).HasMaxLength(100);
            e.Property(s => s.ReplyTo).HasMaxLength(254);
            e.HasIndex(s => s.Address).IsUnique();
            // At most one default here; "at least one" is a deferred trigger (see the migration).
            e.HasIndex(s => s.IsDefault).IsUnique().HasFilter("is_default").HasDatabaseName("ix_senders_one_default");
        });
        model.Entity<AuditEntry>(e =>
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
        });

        model.Entity<AdminTokenRevocation>(e =>
        {
            e.ToTable("admin_token_revocations");
            e.HasKey(r => r.UserId);
        });

        model.AddOutbox();
        model.AddInbox();
        model.UseSnakeCaseNames();
    }
}
