using System.Globalization;
using System.Runtime.ExceptionServices;
using DeployMind.Domain;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;

namespace DeployMind.Infrastructure.Persistence;

/// <summary>
/// The deployment database as configured (<c>database:</c>): contexts on it, and its schema made current on first use.
/// One per process (a singleton): the deployment store, the embedded job queue and the embedded deploy locks share it, so they open the same
/// database the same way.
/// </summary>
internal sealed class DeployMindDatabase : IDisposable
{
    // SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY (extended result codes).
    private const int SqliteUniqueViolation = 2067;
    private const int SqlitePrimaryKeyViolation = 1555;

    private readonly DbContextOptions _options;

    // Contexts are pooled: a new one per operation costs its internal services' lookup (a tenth of a webhook's CPU);
    // a pooled one is reset when it is returned.
    private readonly IDbContextFactory<DeployMindDbContext> _contexts;
    private readonly SemaphoreSlim _readyGate = new(1, 1);
    private readonly GroupCommit<Func<WriteBatch, Task<object?>>, (object? Value, ExceptionDispatchInfo? Error)> _batched;
    private volatile bool _ready;

    /// <exception cref="InvalidInputException">The settings name no database.</exception>
    public DeployMindDatabase(DatabaseOptions settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _batched = new GroupCommit<Func<WriteBatch, Task<object?>>, (object?, ExceptionDispatchInfo?)>(WriteBatchAsync);
        Provider = settings.Resolve();
        if (Provider == DatabaseProvider.Sqlite)
        {
            var path = settings.SqlitePath;
            var builder = new SqliteConnectionStringBuilder
            {
                DataSource = path,
                ForeignKeys = true,
                Pooling = true,

                // Microsoft.Data.Sqlite retries a busy database until the command timeout: that is the busy timeout.
                DefaultTimeout = (int)Math.Ceiling(Duration.Parse(settings.BusyTimeout, "database.busyTimeout").TotalSeconds),
            };
            var busy = Duration.Parse(settings.BusyTimeout, "database.busyTimeout");
            _options = new DbContextOptionsBuilder<SqliteDeployMindDbContext>()
                .UseSqlite(builder.ToString())
                .AddInterceptors(new SqliteBusyTimeout(busy))
                .Options;
            Description = $"SQLite {path}";
            SqliteFile = path;
            _contexts = new Pool<SqliteDeployMindDbContext>(new PooledDbContextFactory<SqliteDeployMindDbContext>((DbContextOptions<SqliteDeployMindDbContext>)_options, PoolSize));
        }
        else
        {
            var connection = new NpgsqlConnectionStringBuilder(settings.PostgresConnectionString());
            _options = new DbContextOptionsBuilder<PostgresDeployMindDbContext>().UseNpgsql(connection.ToString()).Options;
            _contexts = new Pool<PostgresDeployMindDbContext>(new PooledDbContextFactory<PostgresDeployMindDbContext>((DbContextOptions<PostgresDeployMindDbContext>)_options, PoolSize));
            Description = string.Create(CultureInfo.InvariantCulture, $"PostgreSQL {connection.Host}:{connection.Port}/{connection.Database}");
        }
    }

    public DatabaseProvider Provider { get; }

    /// <summary>Which database, for messages ("SQLite /home/…/deploymind.db", "PostgreSQL host:5432/deploymind"); no password.</summary>
    public string Description { get; }

    /// <summary>The SQLite file, when that is the provider.</summary>
    public string? SqliteFile { get; }

    /// <summary>
    /// Creates the database (SQLite: its folder and file) and applies pending migrations, once per instance (one per process).
    /// Safe to call from several processes at once: migrations take a lock of their own.
    /// </summary>
    /// <exception cref="DeployMindException">The database cannot be opened or migrated.</exception>
    public async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        if (_ready)
        {
            return;
        }

        await _readyGate.WaitAsync(cancellationToken);
        try
        {
            if (_ready)
            {
                return;
            }

            await using var db = CreateContext();
            try
            {
                if (SqliteFile is not null)
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(SqliteFile)!);
                }

                // Migrations take a lock of their own, so two processes starting at once do not both apply them. The lock
                // is a row, not an OS lock: a process killed while holding it would leave every later start waiting, so it
                // is only taken when there is something to apply (an upgrade), not on every start.
                if ((await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any())
                {
                    await db.Database.MigrateAsync(cancellationToken);
                }

                if (SqliteFile is not null)
                {
                    // WAL lets readers (list, logs --follow) run while a deployment writes; it is a property of the file.
                    await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
                }
            }
            catch (Exception ex) when (ex is SqliteException or NpgsqlException or InvalidOperationException or IOException or UnauthorizedAccessException)
            {
                throw new DeployMindException($"Cannot open the deployment records ({Description}): {ex.Message}", ex);
            }

            _ready = true;
        }
        finally
        {
            _readyGate.Release();
        }
    }

    /// <summary>A context for one operation (contexts are not thread-safe; dispose it to return it to the pool). Call <see cref="EnsureReadyAsync"/> first.</summary>
    public DeployMindDbContext CreateContext() => _contexts.CreateDbContext();

    /// <summary>
    /// Runs <paramref name="write"/> in the process's next batch of writes (group commit: one transaction, one fsync on
    /// SQLite, for everything that arrived together; nothing waits for company) and answers once that batch is committed.
    /// A batch that fails is written again one write at a time, so one bad write fails alone. For the writes that come in
    /// bursts — new deployments from webhooks, delivery records.
    /// </summary>
    public async Task<T> WriteBatchedAsync<T>(Func<WriteBatch, Task<T>> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        await EnsureReadyAsync(cancellationToken);
        var (value, error) = await _batched.WriteAsync(async batch => await write(batch), cancellationToken);
        error?.Throw();
        return (T)value!;
    }

    /// <summary>Waits until the batched writes queued so far are written.</summary>
    public Task BatchedWritesIdleAsync(CancellationToken cancellationToken) => _batched.IdleAsync(cancellationToken);

    private async Task<IReadOnlyList<(object?, ExceptionDispatchInfo?)>> WriteBatchAsync(IReadOnlyList<Func<WriteBatch, Task<object?>>> writes)
    {
        try
        {
            return await RunAsync(writes);
        }
        catch (Exception) when (writes.Count > 1)
        {
            // Which one failed is not known (and PostgreSQL aborts the transaction at the first error): one at a time.
            var results = new List<(object?, ExceptionDispatchInfo?)>(writes.Count);
            foreach (var write in writes)
            {
                try
                {
                    results.Add((await RunAsync([write]))[0]);
                }
                catch (Exception ex)
                {
                    results.Add((null, ExceptionDispatchInfo.Capture(ex)));
                }
            }

            return results;
        }
        catch (Exception ex)
        {
            return [(null, ExceptionDispatchInfo.Capture(ex))];
        }
    }

    private async Task<IReadOnlyList<(object?, ExceptionDispatchInfo?)>> RunAsync(IReadOnlyList<Func<WriteBatch, Task<object?>>> writes)
    {
        await using var batch = await WriteBatch.BeginAsync(this);
        var results = new (object?, ExceptionDispatchInfo?)[writes.Count];
        for (var i = 0; i < writes.Count; i++)
        {
            results[i] = (await writes[i](batch), null);
        }

        await batch.CommitAsync();
        return results;
    }

    /// <summary>Whether an exception from a raw command (or its inner one) is a broken unique index or primary key.</summary>
    public static bool IsUniqueViolation(Exception exception) => exception switch
    {
        DbUpdateException update => IsUniqueViolation(update),
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode is SqliteUniqueViolation or SqlitePrimaryKeyViolation,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    /// <summary>Whether a failed save broke a unique index or primary key (another writer inserted the same key first).</summary>
    public static bool IsUniqueViolation(DbUpdateException exception) => exception?.InnerException switch
    {
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode is SqliteUniqueViolation or SqlitePrimaryKeyViolation,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    public void Dispose() => _readyGate.Dispose();

    /// <summary>How many idle contexts the pool keeps.</summary>
    private const int PoolSize = 64;

    private sealed class Pool<TContext>(PooledDbContextFactory<TContext> pool) : IDbContextFactory<DeployMindDbContext>
        where TContext : DeployMindDbContext
    {
        public DeployMindDbContext CreateDbContext() => pool.CreateDbContext();
    }
}

/// <summary>
/// Sets SQLite's own busy handler on every connection it opens (<c>PRAGMA busy_timeout</c>): a writer waiting for
/// another one is woken within milliseconds of the lock's release. Without it Microsoft.Data.Sqlite retries a busy
/// statement every 150 ms, which turned every collision between two writers (a webhook's record and the delivery
/// log, two workers) into a 150 ms stall.
/// </summary>
internal sealed class SqliteBusyTimeout(TimeSpan timeout) : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    private readonly string _pragma = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {(long)timeout.TotalMilliseconds};");

    public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = _pragma;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(
        System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = _pragma;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
