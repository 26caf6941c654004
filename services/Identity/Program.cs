using SalesMind.Identity;
using SalesMind.Identity.Accounts;
using SalesMind.Identity.AddressStates;
using SalesMind.Identity.Admin;
using SalesMind.Identity.PasswordReset;
using SalesMind.Identity.Registration;
using SalesMind.Identity.Sessions;
using SalesMind.Identity.Verification;
using SalesMind.Outbox;
using SalesMind.ServiceDefaults;

// A refused start (or any crash) ends with exit code 1 and its reason on one line, not an abort.
FatalErrors.ExitWithReason();

if (args is ["health-probe"])
{
    return await HealthProbe.RunAsync();
}

// Settings files sit beside the binaries, wherever the process is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddIdentityServices();

var app = builder.Build();
if (args is ["migrate", ..])
{
    await app.MigrateAsync();
    return 0;
}

if (args is ["make-admin", ..])
{
    return await app.MakeAdminAsync(args);
}

if (args is ["remove-admin", ..])
{
    return await app.RemoveAdminAsync(args);
}

if (args is ["admin-token", ..])
{
    return await app.PrintAdminTokenAsync(args);
}

app.UseSalesMindForwardedHeaders();
app.UseSalesMindErrors();
app.UsePasswordHashingBackpressure();
app.UseRateLimiter();
app.UseAdminAuth();
app.MapHealth();
app.MapMetrics();
app.MapRegistration();
app.MapVerification();
app.MapSessions();
app.MapPasswordReset();
app.MapMailReceipts();
app.MapGroup("/api/admin").RequireAuthorization(AdminAuth.AdminPolicy).MapOutboxAdmin().MapUserAdmin();

await app.RunAsync();
return 0;

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
