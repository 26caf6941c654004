using SalesMind.Notifier;
using SalesMind.Notifier.Admin;
using SalesMind.Notifier.Webhooks;
using SalesMind.ServiceDefaults;

// A refused start (or any crash) ends with exit code 1 and its reason on one line, not an abort.
FatalErrors.ExitWithReason();

if (args is ["health-probe"])
{
    return await HealthProbe.RunAsync();
}

// Settings files sit beside the binaries, wherever the process is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddNotifierServices();

var app = builder.Build();
if (args is ["migrate", ..])
{
    await app.MigrateAsync();
    return 0;
}

app.UseSalesMindForwardedHeaders();
app.UseSalesMindErrors();
app.UseAdminAuth();
app.MapHealth();
app.MapMetrics();
app.MapApiDocs();
app.MapAdminApi();
app.MapWebhooks();

await app.RunAsync();
return 0;

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
