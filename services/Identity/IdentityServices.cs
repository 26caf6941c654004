using System.Text.Json;
using Microsoft.AspNetCore.HttpOverrides;
using MassTransit;
using SalesMind.Identity.AddressStates;
using SalesMind.Identity.AdminTokens;
using SalesMind.Identity.Lifecycle;
using SalesMind.Identity.Sessions;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using SalesMind.Contracts;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.Data;
using SalesMind.Outbox;
using SalesMind.ServiceDefaults;

namespace SalesMind.Identity;

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
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);

        services.AddDbContext<IdentityDb>((sp, options) => options
            .UseNpgsql(connectionString)
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

        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        });
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
        services.AddHealthChecks().AddDbContextCheck<IdentityDb>("database", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// The <c>admin-token --name &lt;username or email&gt; [--minutes N]</c> command: prints an admin
    /// bearer token for an existing, active admin account (default 15 minutes, at most 60). It
    /// carries the account's token version, so it dies with the account or its role like any other.
    /// </summary>
    public static Task<int> PrintAdminTokenAsync(this WebApplication app, string[] args) =>
        AdminTokenCommand.RunAsync(app.Services, args, Console.Out, Console.Error);

    /// <summary>
    /// The <c>remove-admin &lt;username or email&gt;</c> command: takes the admin role away; the
    /// account's admin tokens stop working on both services within seconds.
    /// </summary>
    public static async Task<int> RemoveAdminAsync(this WebApplication app, string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: remove-admin <username or email>");
            return 2;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDb>();
        await using var tx = await db.Database.BeginTransactionAsync();
        var user = await AdminTokenCommand.FindAsync(db, args[1]);
        if (user is null)
        {
            Console.Error.WriteLine($"No account with the username or email '{args[1]}'.");
            return 1;
        }

        if (user.Roles.Contains(AdminAuth.AdminRole))
        {
            user.Roles = [.. user.Roles.Where(r => r != AdminAuth.AdminRole)];
            await AdminTokenRevocation.RevokeAsync(db, user.Id, AdminTokenRevocation.RoleRemoved, DateTimeOffset.UtcNow, CancellationToken.None);
            await db.SaveChangesAsync();
        }

        await tx.CommitAsync();
        Console.WriteLine($"{user.Username} <{user.Email}> is not an admin.");
        return 0;
    }

    /// <summary>
    /// The <c>make-admin &lt;username or email&gt;</c> command: gives an existing account the admin
    /// role (the way to the first admin; later ones can be made the same way).
    /// </summary>
    public static async Task<int> MakeAdminAsync(this WebApplication app, string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: make-admin <username or email>");
            return 2;
        }

        return await MakeAdminAsync(app.Services, args[1], Console.Out, Console.Error);
    }

    /// <summary>
    /// Gives the account <paramref name="identifier"/> names the admin role. With an <c>@</c> it is
    /// an address and picks the account with that address, never one whose (older) username merely
    /// looks like it.
    /// </summary>
    public static async Task<int> MakeAdminAsync(IServiceProvider services, string identifier, TextWriter output, TextWriter error)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDb>();
        var user = await db.Users.FindByIdentifierAsync(identifier, CancellationToken.None);
        if (user is null)
        {
            await error.WriteLineAsync($"No account with the {(AccountLookup.Parse(identifier).IsEmail ? "email address" : "username")} '{identifier}'.");
            return 1;
        }

        if (user.DeactivatedAt is not null)
        {
            await error.WriteLineAsync($"{user.Username} <{user.Email}> is deactivated; it cannot be made an admin.");
            return 1;
        }

        if (!user.Roles.Contains(AdminAuth.AdminRole))
        {
            user.Roles = [.. user.Roles, AdminAuth.AdminRole];
            await db.SaveChangesAsync();
        }

        await output.WriteLineAsync($"{user.Username} <{user.Email}> is an admin.");
        return 0;
    }

    /// <summary>The <c>migrate</c> command: applies pending migrations (creating the database if needed).</summary>
    public static async Task MigrateAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IdentityDb>().Database.MigrateAsync();
    }
}
