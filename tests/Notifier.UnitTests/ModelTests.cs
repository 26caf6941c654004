using Microsoft.EntityFrameworkCore;
using SalesMind.Notifier.Data;

namespace SalesMind.Notifier.UnitTests;

public sealed class ModelTests
{
    [Fact]
    public void The_model_is_what_the_migrations_build()
    {
        // No connection is opened: the model is compared with the migrations' snapshot.
        using var db = new NotifierDb(new DbContextOptionsBuilder<NotifierDb>().UseNpgsql("Host=127.0.0.1;Port=1;Database=unused").Options);

        Assert.False(db.Database.HasPendingModelChanges());
    }
}
