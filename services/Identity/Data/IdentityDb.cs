using Microsoft.EntityFrameworkCore;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.AddressStates;
using SalesMind.Outbox;
using SalesMind.ServiceDefaults;

namespace SalesMind.Identity.Data;

public sealed class IdentityDb(DbContextOptions<IdentityDb> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();

    public DbSet<UserProfile> Profiles => Set<UserProfile>();

    public DbSet<EmailVerificationToken> VerificationTokens => Set<EmailVerificationToken>();

    public DbSet<Session> Sessions => Set<Session>();

    public DbSet<PasswordResetToken> PasswordResetTokens => Set<PasswordResetToken>();

    public DbSet<EmailAddressState> AddressStates => Set<EmailAddressState>();

    public DbSet<EmailMessageState> EmailMessageStates => Set<EmailMessageState>();

    public DbSet<MailReceipt> MailReceipts => Set<MailReceipt>();

    public DbSet<LoginFailure> LoginFailures => Set<LoginFailure>();

    public DbSet<KnownDevice> KnownDevices => Set<KnownDevice>();

    public DbSet<EmailChange> EmailChanges => Set<EmailChange>();

    public DbSet<AccountAuditEntry> AccountAudit => Set<AccountAuditEntry>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<User>(e =>
        {
            e.ToTable("users");
            e.Property(u => u.Username).HasMaxLength(150);
            e.Property(u => u.NormalizedUsername).HasMaxLength(150);
            e.Property(u => u.Email).HasMaxLength(254);
            e.Property(u => u.NormalizedEmail).HasMaxLength(254);
            e.Property(u => u.Roles).HasDefaultValueSql("'{}'::text[]");
            e.HasIndex(u => u.NormalizedUsername).IsUnique();
            e.HasIndex(u => u.NormalizedEmail).IsUnique();
            // The purge of deleted accounts after their grace period.
            e.HasIndex(u => u.DeletedAt).HasFilter("deleted_at IS NOT NULL");
            e.HasOne(u => u.Profile).WithOne().HasForeignKey<UserProfile>(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<UserProfile>(e =>
        {
            e.ToTable("user_profiles");
            e.HasKey(p => p.UserId);
            e.Property(p => p.Industry).HasMaxLength(50);
            e.Property(p => p.SalesExperience).HasMaxLength(50);
            e.Property(p => p.Purpose).HasMaxLength(500);
            e.Property(p => p.Locale).HasMaxLength(5);
        });
        model.Entity<EmailVerificationToken>(e =>
        {
            e.ToTable("email_verification_tokens");
            e.HasIndex(t => t.TokenHash).IsUnique();
            e.HasIndex(t => t.UserId);
            e.HasOne(t => t.User).WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<Session>(e =>
        {
            e.ToTable("sessions");
            e.Property(x => x.UserAgent).HasMaxLength(512);
            e.Property(x => x.ClientAddress).HasMaxLength(64);
            e.HasIndex(x => x.TokenHash).IsUnique();
            e.HasIndex(x => x.UserId);
            e.HasOne(x => x.User).WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<PasswordResetToken>(e =>
        {
            e.ToTable("password_reset_tokens");
            e.HasIndex(t => t.TokenHash).IsUnique();
            e.HasIndex(t => t.UserId);
            e.HasOne<User>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<EmailAddressState>(e =>
        {
            e.ToTable("email_address_states");
            e.HasKey(x => x.NormalizedEmail);
            e.Property(x => x.NormalizedEmail).HasMaxLength(254);
            e.Property(x => x.Status).HasMaxLength(20);
            e.Property(x => x.Template).HasMaxLength(100);
            e.Property(x => x.FailureClass).HasMaxLength(20);
        });

        model.Entity<EmailMessageState>(e =>
        {
            e.ToTable("email_message_states");
            e.HasKey(x => x.SourceMessageId);
            e.Property(x => x.Recipient).HasMaxLength(254);
            e.Property(x => x.Template).HasMaxLength(100);
            // A person's mail history (the export) and its clean-up look emails up by address.
            e.HasIndex(x => x.Recipient);
            e.Property(x => x.Status).HasMaxLength(20);
            e.Property(x => x.Diagnostic).HasMaxLength(1000);
            e.Property(x => x.FailureClass).HasMaxLength(20);
        });
        model.Entity<MailReceipt>(e =>
        {
            e.ToTable("mail_receipts");
            e.HasKey(x => x.TokenHash);
            e.HasIndex(x => x.ExpiresAt);
        });

        model.Entity<LoginFailure>(e =>
        {
            e.ToTable("login_failures");
            e.HasKey(x => x.Key);
            e.Property(x => x.Key).HasMaxLength(300);
            // The pruner deletes by age.
            e.HasIndex(x => x.LastAttemptAt);
        });
        model.Entity<KnownDevice>(e =>
        {
            e.ToTable("known_devices");
            e.HasIndex(x => x.TokenHash).IsUnique();
            e.HasIndex(x => x.UserId);
            e.HasIndex(x => x.ExpiresAt);
            e.HasOne<User>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<EmailChange>(e =>
        {
            e.ToTable("email_changes");
            e.Property(x => x.OldEmail).HasMaxLength(254);
            e.Property(x => x.NewEmail).HasMaxLength(254);
            e.Property(x => x.NormalizedNewEmail).HasMaxLength(254);
            e.HasIndex(x => x.TokenHash).IsUnique();
            e.HasIndex(x => x.UndoTokenHash).IsUnique();
            e.HasIndex(x => x.UserId);
            e.HasIndex(x => x.NormalizedNewEmail);
            e.HasOne<User>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<AccountAuditEntry>(e =>
        {
            e.ToTable("account_audit");
            e.Property(x => x.ActorName).HasMaxLength(150);
            e.Property(x => x.Action).HasMaxLength(50);
            e.Property(x => x.Before).HasColumnType("jsonb");
            e.Property(x => x.After).HasColumnType("jsonb");
            e.HasIndex(x => new { x.TargetUserId, x.At });
            e.HasIndex(x => x.At);
        });

        model.AddOutbox();
        model.AddInbox();
        model.UseSnakeCaseNames();
    }
}
