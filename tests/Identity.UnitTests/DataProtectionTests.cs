using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using SalesMind.ServiceDefaults;

namespace SalesMind.Identity.UnitTests;

/// <summary>
/// Nothing in Identity protects data with ASP.NET Core Data Protection (sessions, device cookies
/// and receipts are random tokens hashed in PostgreSQL, admin tokens ES256 with configured keys),
/// so its key ring is ephemeral and never stored. A feature that starts using it fails here
/// first: it needs a persisted, shared key ring (see shared/ServiceDefaults/DataProtectionSetup.cs).
/// </summary>
public sealed class DataProtectionTests
{
    [Fact]
    public async Task Data_protection_is_ephemeral_and_no_key_ring_is_loaded_at_start()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Development", ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration["ConnectionStrings:Identity"] = "Host=127.0.0.1;Port=1;Database=unused;Username=unused";
        builder.AddIdentityServices();

        Assert.DoesNotContain(builder.Services, DataProtectionSetup.IsKeyRingPreload);
        await using var app = builder.Build();
        Assert.IsType<EphemeralDataProtectionProvider>(app.Services.GetRequiredService<IDataProtectionProvider>());
    }
}
