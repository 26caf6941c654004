using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace SalesMind.ServiceDefaults;

/// <summary>
/// ASP.NET Core Data Protection, which authentication registers whether or not anything uses
/// it, set to an ephemeral in-memory key ring on purpose. Nothing here protects data with it:
/// sessions, device cookies and mail receipts are random tokens whose hashes live in PostgreSQL,
/// admin tokens are ES256-signed with keys from configuration, emailed links are random tokens
/// hashed at rest, and there is no cookie authentication, antiforgery, TempData or session
/// middleware. So replicas need no shared key ring and a restart loses nothing; left to its
/// defaults it would make and store a key at every start (with warnings about a key ring that
/// is not persisted or not encrypted, in a container).
/// A feature that does need Data Protection must first persist and share the key ring
/// (<c>PersistKeysTo…</c>, <c>ProtectKeysWith…</c>, one <c>SetApplicationName</c>) and change this.
/// </summary>
public static class DataProtectionSetup
{
    public static IServiceCollection AddSalesMindDataProtection(this IServiceCollection services)
    {
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        // The ephemeral provider keeps its key in memory; the framework's hosted service would
        // still load (and so create and store) the persisted key ring at start, for nobody.
        foreach (var preload in services.Where(IsKeyRingPreload).ToList())
        {
            services.Remove(preload);
        }

        return services;
    }

    /// <summary>A hosted service of the Data Protection library (its key ring preload).</summary>
    public static bool IsKeyRingPreload(ServiceDescriptor service) =>
        service.ServiceType == typeof(IHostedService) && service.ImplementationType?.Assembly == typeof(EphemeralDataProtectionProvider).Assembly;
}
