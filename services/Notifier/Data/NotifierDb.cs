using Microsoft.EntityFrameworkCore;
using SalesMind.Outbox;
using SalesMind.ServiceDefaults;

namespace SalesMind.Notifier.Data;

public sealed class NotifierDb(DbContextOptions<NotifierDb> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder model)
    {
        // Each feature folder configures its own tables (its *Model.cs), so this context names none of them.
        model.ApplyConfigurationsFromAssembly(typeof(NotifierDb).Assembly);
        model.AddOutbox();
        model.AddInbox();
        model.UseSnakeCaseNames();
    }
}
