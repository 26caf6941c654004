using System.Text.Json;
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

        services.AddOptions<AccountOptions>()
            .BindConfiguration(AccountOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(TimeProvider.System);

        services.AddDbContext<IdentityDb>((sp, options) => options
            .UseNpgsql(connectionString)
            .AddInterceptors(sp.GetRequiredService<OutboxSaveChangesInterceptor>()));
        services.AddOutbox(connectionString, typeof(UserRegistered).Assembly);
        services.AddSalesMindBus(_ => { });

        // PBKDF2-HMAC-SHA512 with 100,000 iterations (the v3 format's default).
        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();

        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        });
        services.AddProblemDetails();
        services.AddHealthChecks().AddDbContextCheck<IdentityDb>("database", tags: ["ready"]);
        return builder;
    }

    /// <summary>The <c>migrate</c> command: applies pending migrations (creating the database if needed).</summary>
    public static async Task MigrateAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IdentityDb>().Database.MigrateAsync();
    }
}
