using MassTransit;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SalesMind.Contracts;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Admin;
using SalesMind.Identity.AdminTokens;
using SalesMind.Identity.Data;
using SalesMind.Identity.Deletion;
using SalesMind.Identity.DeliveryReports;
using SalesMind.Identity.EmailChanges;
using SalesMind.Identity.Lifecycle;
using SalesMind.Identity.PasswordReset;
using SalesMind.Identity.Profile;
using SalesMind.Identity.Registration;
using SalesMind.Identity.Security;
using SalesMind.Identity.Sessions;
using SalesMind.Identity.Verification;
using SalesMind.Identity.Web;
using SalesMind.Outbox;
using SalesMind.ServiceDefaults;

namespace SalesMind.Identity;

/// <summary>Identity's services and its request pipeline, in one place.</summary>
public static class IdentityServices
{
    public static WebApplicationBuilder AddIdentityServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var connectionString = builder.Configuration.GetConnectionString("Identity")
            ?? throw new RefusedStartException("Missing configuration 'ConnectionStrings:Identity' (env ConnectionStrings__Identity).");
        // Emailed links start with the public base URL: outside Development it must be the site's own.
        builder.RequireProductionSecrets(connectionString,
            secrets: ["Auth:PrivateKey|Auth:PrivateKeyFile", "Auth:PublicKey|Auth:PublicKeyFile", "RabbitMq:Password"],
            publicNames: [PublicName.Url("Identity:PublicBaseUrl")]);

        services.AddOptions<AccountOptions>()
            .BindConfiguration(AccountOptions.Section)
            // The emailed codes' HMAC key comes from the signing key, not from the Identity section.
            .Configure<IOptions<AuthOptions>>((o, auth) => o.CodeKey = AdminTokenKeys.TryLoadPrivate(auth.Value, out var key) ? OneTimeCodeKey.Derive(key!.ECDsa) : null)
            .Validate(o => o.CodeKey is not null, AdminTokenKeys.PrivateKeyProblem)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);

        services.AddDbContext<IdentityDb>((sp, options) => options
            .UseNpgsql(connectionString)
            .ThrowOnQueryWarningsIn(sp.GetRequiredService<IHostEnvironment>())
            .AddInterceptors(sp.GetRequiredService<OutboxSaveChangesInterceptor>()));
        services.AddOutbox(connectionString, typeof(UserRegistered).Assembly);
        services.AddSalesMindBus(bus =>
            bus.AddConsumer<EmailDeliveryStatusChangedConsumer, EmailDeliveryStatusChangedConsumerDefinition>());

        // PBKDF2-HMAC-SHA512 (the v3 format) at the cost in PasswordCost; older hashes report
        // SuccessRehashNeeded and are upgraded at the next login.
        services.Configure<PasswordHasherOptions>(o => o.IterationCount = PasswordCost.Iterations);
        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        services.AddSingleton<PasswordHashing>();
        services.AddSingleton<LoginThrottle>();
        services.AddScoped<LoginGuard>();
        services.AddHostedService<LoginFailurePruner>();
        services.AddSingleton<AccountLifecycle>();
        services.AddHostedService(sp => sp.GetRequiredService<AccountLifecycle>());

        // The feature services: each holds its feature's rules; the endpoints only parse and map.
        services.AddScoped<Registrar>();
        services.AddScoped<Verifier>();
        services.AddScoped<Authenticator>();
        services.AddScoped<PasswordResets>();
        services.AddScoped<UserAdmin>();
        services.AddScoped<AccountSessions>();
        services.AddScoped<ProfileEditor>();
        services.AddScoped<PasswordChanger>();
        services.AddAccountDeletion();
        services.AddScoped<AddressChanges>();

        services.ConfigureHttpJsonOptions(o => Json.Configure(o.SerializerOptions));
        services.AddIdentityRateLimits(builder.Configuration);
        // The client's address for rate limits comes from nginx's X-Forwarded-For, believed only
        // from loopback and the proxies named in ForwardedHeaders:KnownNetworks/KnownProxies.
        builder.AddSalesMindForwardedHeaders(ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto);
        services.AddAdminAuth<AdminAccountCheck>();
        // Nothing here uses Data Protection (see DataProtectionSetup): an ephemeral key ring, shared by no one.
        services.AddSalesMindDataProtection();
        // Identity alone signs admin tokens: a missing or mismatched private key stops it at start.
        services.AddOptions<AuthOptions>().Validate(o => AdminTokenKeys.TryLoadPrivate(o, out _), AdminTokenKeys.PrivateKeyProblem);
        services.AddSingleton<AdminTokenIssuer>();
        services.AddSalesMindTelemetry(meters: [OutboxRelay.MeterName], sources: [OutboxRelay.MeterName]);
        services.AddSalesMindProblemDetails();
        services.AddApiDocs(SessionEndpoints.CookieName);
        services.AddHealthChecks().AddDbContextCheck<IdentityDb>("database", tags: ["ready"]);
        return builder;
    }

    /// <summary>The request pipeline and every endpoint, in the order a request meets them.</summary>
    public static WebApplication UseIdentityEndpoints(this WebApplication app)
    {
        app.UseSalesMindForwardedHeaders();
        app.UseSalesMindErrors();
        app.UsePasswordHashingBackpressure();
        app.UseRateLimiter();
        app.UseAdminAuth();
        app.MapHealth();
        app.MapMetrics();
        app.MapApiDocs();
        app.MapRegistration();
        app.MapVerification();
        app.MapSessions();
        app.MapPasswordReset();
        app.MapEmailChange();
        app.MapMailReceipts();
        app.MapProfile();
        app.MapAccountSessions();
        app.MapAccountDeletion();
        app.MapGroup("/api/admin").RequireAuthorization(AdminAuth.AdminPolicy).MapOutboxAdmin().MapUserAdmin();
        return app;
    }
}
