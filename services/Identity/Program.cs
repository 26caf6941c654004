using SalesMind.Identity;
using SalesMind.Identity.Registration;
using SalesMind.Identity.Verification;
using SalesMind.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddIdentityServices();

var app = builder.Build();
if (args is ["migrate", ..])
{
    await app.MigrateAsync();
    return;
}

app.UseSalesMindErrors();
app.MapHealth();
app.MapRegistration();
app.MapVerification();

app.Run();

/// <summary>Entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
