using System.Collections.Concurrent;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SalesMind.TestSupport;

namespace SalesMind.Outbox.Tests;

/// <summary>An event used only by these tests.</summary>
public sealed record OrderPlaced(int Number);

/// <summary>A table of the kind a service keeps beside its outbox.</summary>
public sealed class Order
{
    public int Id { get; set; }

    public int Number { get; set; }
}

public sealed class TestDb(DbContextOptions<TestDb> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<Order>().ToTable("orders");
        model.AddOutbox();
        model.AddInbox();
    }

    /// <summary>The schema a service's migration would create, including the NOTIFY trigger.</summary>
    public static async Task CreateSchemaAsync(string connectionString)
    {
        await using var db = new TestDb(new DbContextOptionsBuilder<TestDb>().UseNpgsql(connectionString).Options);
        await db.Database.EnsureCreatedAsync();
        await db.Database.ExecuteSqlRawAsync(OutboxModel.CreateNotifyTriggerSql);
    }
}

/// <summary>Every OrderPlaced the broker delivered, by MessageId, with how often it came.</summary>
public sealed class Received
{
    public ConcurrentDictionary<Guid, int> Counts { get; } = new();

    public ConcurrentDictionary<Guid, OrderPlaced> Messages { get; } = new();

    public int Distinct => Counts.Count;

    public int Total => Counts.Values.Sum();
}

public sealed class OrderPlacedConsumer(Received received) : IConsumer<OrderPlaced>
{
    public Task Consume(ConsumeContext<OrderPlaced> context)
    {
        var id = context.MessageId!.Value;
        received.Counts.AddOrUpdate(id, 1, (_, n) => n + 1);
        received.Messages[id] = context.Message;
        return Task.CompletedTask;
    }
}

/// <summary>A process with a relay (and a consumer on the other side of real RabbitMQ), as a service would run it.</summary>
public sealed class RelayHarness : IAsyncDisposable
{
    private readonly IHost _host;

    private RelayHarness(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public static async Task<RelayHarness> StartAsync(
        TestDatabase database, TestVirtualHost vhost, Received received, Action<OutboxOptions>? configure = null,
        bool relay = true, bool consume = true)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var services = builder.Services;
        services.AddDbContext<TestDb>((sp, o) => o.UseNpgsql(database.ConnectionString)
            .AddInterceptors(sp.GetRequiredService<OutboxSaveChangesInterceptor>()));
        services.AddOutbox(database.ConnectionString, typeof(OrderPlaced).Assembly).Configure(o =>
        {
            o.PollInterval = TimeSpan.FromMilliseconds(200);
            configure?.Invoke(o);
        });
        if (!relay)
        {
            services.Remove(services.Single(d => d.ImplementationType == typeof(OutboxRelay)));
        }

        services.AddSingleton(received);
        services.AddMassTransit(bus =>
        {
            if (consume)
            {
                bus.AddConsumer<OrderPlacedConsumer>();
            }

            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(Stack.RabbitHost, Stack.RabbitPort, vhost.Name, h =>
                {
                    h.Username("guest");
                    h.Password("guest");
                });
                cfg.ConfigureEndpoints(context);
            });
        });

        var host = builder.Build();
        await host.StartAsync();
        return new RelayHarness(host);
    }

    /// <summary>Writes <paramref name="count"/> orders, each with its event, one transaction each.</summary>
    public async Task<List<Guid>> PlaceOrdersAsync(int count, int firstNumber = 0)
    {
        var ids = new List<Guid>(count);
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TestDb>();
        for (var i = 0; i < count; i++)
        {
            var number = firstNumber + i;
            db.Orders.Add(new Order { Number = number });
            ids.Add(db.AddOutboxMessage(new OrderPlaced(number), DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }

        return ids;
    }

    /// <summary>Stops at once, as close to a crash as an in-process host gets: in-flight work is cancelled.</summary>
    public async Task KillAsync()
    {
        using var now = new CancellationTokenSource();
        await now.CancelAsync();
        try
        {
            await _host.StopAsync(now.Token);
        }
        catch (OperationCanceledException)
        {
        }

        _host.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync(TimeSpan.FromSeconds(10));
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        _host.Dispose();
    }
}
