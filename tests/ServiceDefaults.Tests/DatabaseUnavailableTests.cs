using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace SalesMind.ServiceDefaults.Tests;

/// <summary>Which failures mean "the database is unavailable" (503 with Retry-After) rather than a server error (500).</summary>
public sealed class DatabaseUnavailableTests
{
    public static TheoryData<string, Exception> Unavailable => new()
    {
        { "connection refused", Refused() },
        { "pool exhausted (a timeout inside Npgsql's exception)", new NpgsqlException("The connection pool has been exhausted", new TimeoutException()) },
        { "connection broken mid-command", new NpgsqlException("Exception while reading from stream", new IOException("Connection reset")) },
        { "57P01 admin_shutdown", Postgres(PostgresErrorCodes.AdminShutdown) },
        { "57P02 crash_shutdown", Postgres(PostgresErrorCodes.CrashShutdown) },
        { "57P03 cannot_connect_now", Postgres(PostgresErrorCodes.CannotConnectNow) },
        { "53300 too_many_connections", Postgres(PostgresErrorCodes.TooManyConnections) },
        { "08006 connection_failure", Postgres(PostgresErrorCodes.ConnectionFailure) },
        { "08001 sqlclient_unable_to_establish_sqlconnection", Postgres("08001") },
        { "EF's DbUpdateException around a shutdown", new DbUpdateException("An error occurred while saving the entity changes.", Postgres(PostgresErrorCodes.AdminShutdown)) },
        { "Npgsql's execution strategy around a refused connection", new InvalidOperationException("An exception has been raised that is likely due to a transient failure.", Refused()) },
        { "EF's retries used up", new RetryLimitExceededException("The maximum number of retries (6) was exceeded.", Refused()) },
    };

    public static TheoryData<string, Exception> NotUnavailable => new()
    {
        { "a unique violation (a domain answer)", Postgres(PostgresErrorCodes.UniqueViolation) },
        { "a deadlock (its own 503: busy)", Postgres(PostgresErrorCodes.DeadlockDetected) },
        { "a syntax error (a bug)", Postgres(PostgresErrorCodes.SyntaxError) },
        { "a query cancelled by statement_timeout", Postgres(PostgresErrorCodes.QueryCanceled) },
        { "a non-transient Npgsql error", new NpgsqlException("The operation is not supported") },
        { "EF's DbUpdateException around a unique violation", new DbUpdateException("An error occurred while saving the entity changes.", Postgres(PostgresErrorCodes.UniqueViolation)) },
        { "a timeout outside Npgsql", new TimeoutException() },
        { "a bug", new NullReferenceException() },
    };

    [Theory]
    [MemberData(nameof(Unavailable))]
    public void The_database_is_unavailable(string what, Exception ex) => Assert.True(WebDefaults.IsDatabaseUnavailable(ex), what);

    [Theory]
    [MemberData(nameof(NotUnavailable))]
    public void The_database_answered(string what, Exception ex) => Assert.False(WebDefaults.IsDatabaseUnavailable(ex), what);

    private static NpgsqlException Refused() =>
        new("Failed to connect to 127.0.0.1:1", new SocketException((int)SocketError.ConnectionRefused));

    private static PostgresException Postgres(string sqlState) => new("test", "FATAL", "FATAL", sqlState);
}
