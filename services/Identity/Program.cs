using SalesMind.Identity;
using SalesMind.Identity.Registration;
using SalesMind.Identity.Verification;
using SalesMind.ServiceDefaults;

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

app.UseSalesMindErrors();
app.MapHealth();
app.MapRegistration();
app.MapVerification();

await app.RunAsync();
return 0;

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
