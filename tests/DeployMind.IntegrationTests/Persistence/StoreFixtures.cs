using DeployMind.Application.Records;
using DeployMind.Infrastructure.Persistence;
using DeployMind.IntegrationTests.Support;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DeployMind.IntegrationTests.Persistence;

/// <summary>A store under test: how to open (another) store on the same database, and how to clean up.</summary>
public interface IStoreTarget : IAsyncDisposable
{
    /// <summary>A new store instance on the same database (its own connections, like another process).</summary>
    IDeploymentStore Open();

    /// <summary>
    /// The settings of the database under test (created on first call), for any adapter on it. A <paramref name="client"/>
    /// name gets its own connection pool where the provider keys pools by connection string (PostgreSQL), as another
    /// process would have.
    /// </summary>
    DatabaseOptions Database(string? client = null);

    string Name { get; }
}

/// <summary>A SQLite file in a temp folder.</summary>
public sealed class SqliteTarget : IStoreTarget
{
    private readonly TempFolder _folder = new();

    public string Name => "sqlite";

    public string File => Path.Combine(_folder.Path, "nested", "deploymind.db");

    public IDeploymentStore Open() => new EfDeploymentStore(Options.Create(Database()));

    // Microsoft.Data.Sqlite has no free-form connection-string keyword to split pools by; pooled connections are
    // separate SQLite connections all the same, locking the file like other processes' do.
    public DatabaseOptions Database(string? client = null) => new() { Path = File, BusyTimeout = "30s" };

    public ValueTask DisposeAsync()
    {
        SqliteConnectionPoolsClear();
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }

    private static void SqliteConnectionPoolsClear() => Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
}

/// <summary>
/// A new database on the test PostgreSQL server that scripts/services/postgres.sh starts (127.0.0.1:5433), dropped
/// afterwards. <c>DEPLOYMIND_TEST_POSTGRES</c> names another server.
/// </summary>
public sealed class PostgresTarget : IStoreTarget
{
    public const string DefaultServer = "Host=127.0.0.1;Port=5433;Username=deploymind;Password=deploymind;Database=deploymind_test";

    private readonly string _database = "dm_store_" + Guid.NewGuid().ToString("N")[..12];
    private readonly Lock _gate = new();
    private bool _created;

    public string Name => "postgres";

    public static string Server => Environment.GetEnvironmentVariable("DEPLOYMIND_TEST_POSTGRES") ?? DefaultServer;

    public string ConnectionString => new NpgsqlConnectionStringBuilder(Server) { Database = _database }.ToString();

    public IDeploymentStore Open() => new EfDeploymentStore(Options.Create(Database()));

    public DatabaseOptions Database(string? client = null)
    {
        lock (_gate)
        {
            if (!_created)
            {
                using var connection = new NpgsqlConnection(Server);
                connection.Open();
                using var create = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", connection);
                create.ExecuteNonQuery();
                _created = true;
            }
        }

        var connectionString = client is null ? ConnectionString : new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = client }.ToString();
        return new DatabaseOptions { Provider = "postgres", ConnectionString = connectionString };
    }

    public async ValueTask DisposeAsync()
    {
        if (!_created)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Server);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege && attempt < 10)
            {
                // An autovacuum worker (the superuser's backend) is in the database: FORCE may not end it; it ends soon.
                await Task.Delay(200);
            }
        }
    }
}
