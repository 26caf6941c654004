using SalesMind.Notifier;
using SalesMind.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddNotifierServices();

var app = builder.Build();
if (args is ["migrate", ..])
{
    await app.MigrateAsync();
    return;
}

app.UseSalesMindErrors();
app.MapHealth();

app.Run();

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
