using System.Text.Json;
using Microsoft.AspNetCore.HttpOverrides;
using MassTransit;
using SalesMind.Identity.AddressStates;
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
            ?? throw new InvalidOperationException("Missing configuration 'ConnectionStrings:Identity' (env ConnectionStrings__Identity).");
        builder.RequireProductionSecrets(connectionString, "Auth:SigningKey", "RabbitMq:Password");

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
        services.AddAdminAuth();
        services.AddSalesMindTelemetry(meters: [OutboxRelay.MeterName], sources: [OutboxRelay.MeterName]);
        services.AddSalesMindProblemDetails();
        services.AddHealthChecks().AddDbContextCheck<IdentityDb>("database", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// The <c>admin-token</c> command: prints a signed admin bearer token, for operators and API
    /// clients until admins log in through the site. <c>--name</c> (who; default "operator"),
    /// <c>--minutes</c> (lifetime; default 60, at most 1440).
    /// </summary>
    public static int PrintAdminToken(this WebApplication app, string[] args)
    {
        string Arg(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        if (!int.TryParse(Arg("--minutes", "60"), out var minutes) || minutes is < 1 or > 1440)
        {
            Console.Error.WriteLine("--minutes must be a whole number from 1 to 1440.");
            return 2;
        }

        var auth = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AuthOptions>>().Value;
        Console.WriteLine(AdminAuth.CreateToken(auth, Arg("--name", "operator"), [AdminAuth.AdminRole], TimeSpan.FromMinutes(minutes)));
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

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDb>();
        var key = args[1].Trim().ToLowerInvariant();
        var user = await db.Users.SingleOrDefaultAsync(u => u.NormalizedUsername == key || u.NormalizedEmail == key);
        if (user is null)
        {
            Console.Error.WriteLine($"No account with the username or email '{args[1]}'.");
            return 1;
        }

        if (!user.Roles.Contains(AdminAuth.AdminRole))
        {
            user.Roles = [.. user.Roles, AdminAuth.AdminRole];
            await db.SaveChangesAsync();
        }

        Console.WriteLine($"{user.Username} <{user.Email}> is an admin.");
        return 0;
    }

    /// <summary>The <c>migrate</c> command: applies pending migrations (creating the database if needed).</summary>
    public static async Task MigrateAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IdentityDb>().Database.MigrateAsync();
    }
}
