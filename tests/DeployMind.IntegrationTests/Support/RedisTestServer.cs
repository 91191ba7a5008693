using DeployMind.Application.Jobs;
using DeployMind.Infrastructure.Redis;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace DeployMind.IntegrationTests.Support;

/// <summary>
/// A key space of its own on the test Redis that scripts/services/redis.sh starts (127.0.0.1:6380; the environment
/// variable <c>DEPLOYMIND_TEST_REDIS</c> names another server): a unique <c>queue.keyPrefix</c> per instance, every
/// key under it deleted on dispose (SCAN + DEL, never FLUSHALL: other tests share the server). Clients come from a few
/// connections opened up front (<see cref="ConnectAsync"/>), as several processes would have, so that opening a client
/// in the middle of a timed test costs nothing.
/// </summary>
internal sealed class RedisTestServer : IAsyncDisposable
{
    public const string DefaultServer = "127.0.0.1:6380";

    // The test host keeps some pool threads blocked, and on a 2-core machine the pool starts with 2: the first
    // StackExchange.Redis connections then starve it for ~0.5 s while it grows (Task.Delay(300) measured at 700+ ms),
    // more than the contracts' timing margins. Start with a few more threads.
    private const int MinPoolThreads = 8;

    private readonly List<RedisConnection> _connections = [];
    private RedisConnection[] _pool = [];
    private int _next;

    static RedisTestServer()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, MinPoolThreads), Math.Max(io, MinPoolThreads));
    }

    public static string Server => Environment.GetEnvironmentVariable("DEPLOYMIND_TEST_REDIS") is { Length: > 0 } server ? server : DefaultServer;

    public string Prefix { get; } = "dmtest-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Settings matching the contracts: visibility timeout 2 s, 3 deliveries.</summary>
    public QueueOptions Options => new() { Provider = "redis", Redis = Server, KeyPrefix = Prefix, VisibilityTimeout = "2s", MaxDeliveries = 3 };

    /// <summary>A connection of its own (as another process would have), closed on dispose.</summary>
    public RedisConnection Connect()
    {
        var connection = new RedisConnection(Microsoft.Extensions.Options.Options.Create(Options), NullLogger<RedisConnection>.Instance);
        lock (_connections)
        {
            _connections.Add(connection);
        }

        return connection;
    }

    /// <summary>Opens <paramref name="connections"/> connections for the clients to come.</summary>
    public async Task ConnectAsync(int connections)
    {
        _pool = [.. Enumerable.Range(0, connections).Select(_ => Connect())];
        foreach (var connection in _pool)
        {
            await connection.RunAsync(db => db.PingAsync(), CancellationToken.None);
        }
    }

    /// <summary>A queue client on the next connection opened up front.</summary>
    public RedisJobQueue OpenQueue() => OpenQueue(Options);

    /// <summary>A queue client with other settings (start from <see cref="Options"/>: its prefix and server).</summary>
    public RedisJobQueue OpenQueue(QueueOptions options) =>
        new(NextConnection(), Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System, NullLogger<RedisJobQueue>.Instance);

    /// <summary>A lock client on the next connection opened up front.</summary>
    public RedisDeployLock OpenLock() => new(NextConnection(), TimeProvider.System);

    private RedisConnection NextConnection()
    {
        if (_pool.Length == 0)
        {
            throw new InvalidOperationException("Call ConnectAsync first.");
        }

        return _pool[(int)((uint)Interlocked.Increment(ref _next) % (uint)_pool.Length)];
    }

    /// <summary>The keys under <see cref="Prefix"/>, for assertions.</summary>
    public async Task<IReadOnlyList<string>> KeysAsync()
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(Server);
        var keys = new List<string>();
        await foreach (var key in admin.GetServer(admin.GetEndPoints()[0]).KeysAsync(pattern: Prefix + ":*", pageSize: 500))
        {
            keys.Add(key.ToString());
        }

        return keys;
    }

    public async ValueTask DisposeAsync()
    {
        RedisConnection[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        foreach (var connection in connections)
        {
            await connection.DisposeAsync();
        }

        await using var admin = await ConnectionMultiplexer.ConnectAsync(Server);
        var db = admin.GetDatabase();
        foreach (var batch in (await KeysAsync()).Chunk(500))
        {
            await db.KeyDeleteAsync([.. batch.Select(k => (RedisKey)k)]);
        }
    }
}
