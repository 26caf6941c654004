using SalesMind.Identity;
using SalesMind.Identity.Cli;
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

// migrate, make-admin, remove-admin, admin-token: run and exit instead of serving.
if (Commands.Run(app, args) is { } command)
{
    return await command;
}

app.UseIdentityEndpoints();
await app.RunAsync();
return 0;

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
