using Npgsql;

namespace SalesMind.Outbox;

/// <summary>The relay's own connections: a pooled source for claims, and an unpooled one for LISTEN.</summary>
public sealed class OutboxDataSource : IAsyncDisposable
{
    public OutboxDataSource(string connectionString)
    {
        Value = NpgsqlDataSource.Create(connectionString);
        // LISTEN state lives on the session: keep that connection out of the pool, with keepalives
        // so a silently dropped connection is noticed and replaced.
        Listener = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            KeepAlive = 15,
        }.ConnectionString);
    }

    public NpgsqlDataSource Value { get; }

    public NpgsqlDataSource Listener { get; }

    public async ValueTask DisposeAsync()
    {
        await Value.DisposeAsync();
        await Listener.DisposeAsync();
    }
}
