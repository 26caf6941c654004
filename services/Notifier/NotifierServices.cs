using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesMind.Contracts;
using SalesMind.Outbox;
using SalesMind.ServiceDefaults;
using SalesMind.Notifier.Admin;
using SalesMind.Notifier.Data;
using SalesMind.Notifier.DomainHealth;
using SalesMind.Notifier.Intake;
using SalesMind.Notifier.Ledger;
using SalesMind.Notifier.Outcomes;
using SalesMind.Notifier.Rendering;
using SalesMind.Notifier.Sending;
using SalesMind.Notifier.Webhooks;

namespace SalesMind.Notifier;

public static class NotifierServices
{
    /// <summary>Settings that must hold a real secret outside Development (the bounce key signs every return path).</summary>
    public static readonly string[] Secrets = ["Auth:PublicKey|Auth:PublicKeyFile", "RabbitMq:Password", "Bounces:SigningKey", "Notifier:BodyEncryptionKey"];

    /// <summary>
    /// Settings that must not be an example name outside Development: the sender's domain (mail
    /// from example.com is signed for nobody and fails DMARC) and the return path's domain
    /// (reports sent to it never come back).
    /// </summary>
    public static readonly PublicName[] PublicNames = [PublicName.EmailAddress("Mail:FromAddress"), PublicName.Domain("Bounces:Domain")];

    public static WebApplicationBuilder AddNotifierServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var connectionString = builder.Configuration.GetConnectionString("Notifier")
            ?? throw new RefusedStartException("Missing configuration 'ConnectionStrings:Notifier' (env ConnectionStrings__Notifier).");
        builder.RequireProductionSecrets(connectionString, Secrets, PublicNames);

        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // The log's path sits in the Smtp section (it is the mail server's) but is read by Outcomes, which knows nothing of sending.
        services.AddOptions<MailLogOptions>().BindConfiguration(MailLogOptions.Section)
            .Validate(o => o.MailLogPath is null || Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(o.MailLogPath))),
                "Smtp:MailLogPath names a file in a directory that does not exist.")
            .ValidateOnStart();
        services.AddOptions<BounceOptions>().BindConfiguration(BounceOptions.Section).ValidateDataAnnotations()
            .Validate(o => System.Net.IPAddress.TryParse(o.ListenAddress, out _), "Bounces:ListenAddress must be an IP address, e.g. 0.0.0.0 or 127.0.0.1.")
            .ValidateOnStart();
        services.AddOptions<MailOptions>().BindConfiguration(MailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.Section).ValidateDataAnnotations()
            .PostConfigure(o => o.RetryDelays = o.RetryDelays is [] ? DeliveryOptions.DefaultRetryDelays : o.RetryDelays)
            .Validate(o => o.RetryDelays.All(d => d > TimeSpan.Zero), "Deliveries:RetryDelays must all be positive.")
            .Validate<IOptions<SmtpOptions>>(
                (o, smtp) => o.LockDuration >= 3 * smtp.Value.Timeout + TimeSpan.FromSeconds(10),
                "Deliveries:LockDuration must be at least 3 × Smtp:Timeout + 10 s, or a slow send could be taken over and sent twice.")
            .ValidateOnStart();
        services.AddOptions<BodyEncryptionOptions>().BindConfiguration(BodyEncryptionOptions.Section).ValidateDataAnnotations()
            .Validate(o => BodyEncryptionOptions.IsValidKey(o.BodyEncryptionKey),
                "Notifier:BodyEncryptionKey must be base64 of at least 32 random bytes (openssl rand -base64 32).")
            .ValidateOnStart();
        services.AddOptions<TestSendOptions>().BindConfiguration(TestSendOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(TimeProvider.System);

        services.AddDbContext<NotifierDb>((sp, options) => options
            .UseNpgsql(connectionString)
            .ThrowOnQueryWarningsIn(sp.GetRequiredService<IHostEnvironment>())
            .AddInterceptors(sp.GetRequiredService<OutboxSaveChangesInterceptor>()));
        services.AddOutbox(connectionString, typeof(UserRegistered).Assembly);
        services.AddSalesMindBus(bus =>
        {
            bus.AddConsumer<UserRegisteredConsumer, UserRegisteredConsumerDefinition>();
            bus.AddConsumer<AccountAlreadyExistsConsumer, AccountAlreadyExistsConsumerDefinition>();
            bus.AddConsumer<PasswordResetRequestedConsumer, PasswordResetRequestedConsumerDefinition>();
            bus.AddConsumer<VerificationReminderDueConsumer, VerificationReminderDueConsumerDefinition>();
            bus.AddConsumer<UserEmailVerifiedConsumer, UserEmailVerifiedConsumerDefinition>();
            bus.AddConsumer<AdminTokensRevokedConsumer, AdminTokensRevokedConsumerDefinition>();
            bus.AddConsumer<PasswordChangedConsumer, PasswordChangedConsumerDefinition>();
            bus.AddConsumer<AccountDeletedConsumer, AccountDeletedConsumerDefinition>();
            bus.AddConsumer<EmailChangeRequestedConsumer, EmailChangeRequestedConsumerDefinition>();
            bus.AddConsumer<EmailChangedConsumer, EmailChangedConsumerDefinition>();
            bus.AddConsumer<EmailChangeAttemptedConsumer, EmailChangeAttemptedConsumerDefinition>();
            // The Notifier's own status changes, back from the broker, become outcome webhooks.
            bus.AddConsumer<WebhookFanOutConsumer, WebhookFanOutConsumerDefinition>();
        });

        // One store for the process: it caches parsed template versions (which never change).
        services.AddSingleton<TemplateStore>();
        services.AddScoped<DeliveryQueue>();
        // The one writer of delivery status (scoped: it works in its caller's DbContext and transaction).
        services.AddScoped<DeliveryLedger>();
        services.AddSingleton<BodySealer>();
        // Keyed hashes of erased addresses (deleted accounts), under a sub-key of Notifier:BodyEncryptionKey.
        services.AddSingleton<RecipientPseudonym>();
        services.AddSingleton<DispatchSignal>();
        services.AddSingleton<ISmtpSender, MailKitSmtpSender>();
        services.AddSingleton<PostfixMailLog>();
        services.AddSingleton<DeliveryClaims>();
        services.AddSingleton<MessageComposer>();
        services.AddSingleton<AttemptRecorder>();
        services.AddSingleton<InDoubtCheck>();
        services.AddHostedService<Dispatcher>();
        services.AddScoped<ReportIntake>();
        services.AddScoped<ComplaintIntake>();
        services.AddHostedService<ReportListener>();
        // DMARC aggregate reports mailed to Bounces:DmarcReportAddress (the report listener hands them over).
        services.AddDmarcReports();
        services.AddHostedService<MailLogFollower>();
        services.AddWebhooks();
        services.AddMailLogRotation();
        services.AddSenderDomainHealth();

        // Behind nginx the API is mounted under /notifier: X-Forwarded-Prefix makes links and the
        // OpenAPI document's server address carry it. Forwarded headers are believed only from
        // loopback and the proxies named in ForwardedHeaders:KnownNetworks/KnownProxies.
        builder.AddSalesMindForwardedHeaders(
            ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost | ForwardedHeaders.XForwardedPrefix);
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        services.AddApiDocs();
        services.AddHttpClient(BrokerQueues.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(5));
        services.AddSingleton<BrokerQueues>();
        services.AddReplay();
        // Verification only: the Notifier is given Identity's public key and has no way to make a token.
        services.AddAdminAuth<AdminRevocationCheck>();
        // Nothing here uses Data Protection (see DataProtectionSetup): an ephemeral key ring, shared by no one.
        services.AddSalesMindDataProtection();
        services.AddSalesMindTelemetry(meters: [OutboxRelay.MeterName, DeliveryLedger.MeterName], sources: [OutboxRelay.MeterName, DeliveryLedger.MeterName]);
        services.AddSalesMindProblemDetails();
        services.AddHealthChecks().AddDbContextCheck<NotifierDb>("database", tags: ["ready"]);
        return builder;
    }

    /// <summary>The <c>migrate</c> command: applies pending migrations (creating the database if needed).</summary>
    public static async Task MigrateAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotifierDb>();
        await db.Database.MigrateAsync();
        await scope.ServiceProvider.GetRequiredService<TemplateStore>().EnsureSeededAsync(db, CancellationToken.None);
    }
}
