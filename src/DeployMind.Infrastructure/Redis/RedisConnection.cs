using System.Collections.Concurrent;
using System.Net.Sockets;
using DeployMind.Application.Jobs;
using DeployMind.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DeployMind.Infrastructure.Redis;

/// <summary>
/// The one connection (a StackExchange.Redis multiplexer) to the Redis of <c>queue.redis</c>, shared by the queue and
/// the locks; register it as a singleton. It is opened on first use and never replaced: it does not give up when Redis
/// is down at start (<c>abortConnect=false</c>) and reconnects with backoff after an outage. While there is no
/// connection, calls fail at once (no backlog) with a <see cref="RedisUnavailableException"/> that names the server
/// and the remedy; the first call after the connection is back works again.
/// </summary>
public sealed partial class RedisConnection : IDisposable, IAsyncDisposable
{
    /// <summary>Connect timeout unless <c>queue.redis</c> sets <c>connectTimeout</c>: Redis is on the LAN or loopback.</summary>
    private static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How long the look at the server's port that explains a failure may take.</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    private readonly ConfigurationOptions _configuration;
    private readonly ILogger<RedisConnection> _logger;
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private readonly ConcurrentDictionary<RedisChannel, WakeSignal> _signals = new();
    private ConnectionMultiplexer? _multiplexer;
    private volatile bool _authenticationFailed;
    private bool _disposed;

    public RedisConnection(IOptions<QueueOptions> options, ILogger<RedisConnection> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        _logger = logger;
        Server = Describe(settings.Redis);
        if (string.IsNullOrWhiteSpace(settings.KeyPrefix))
        {
            throw new InvalidInputException("queue.keyPrefix: is empty; give every key of this installation a prefix (the default is 'deploymind').");
        }

        Keys = new RedisKeys(settings.KeyPrefix.Trim());
        try
        {
            _configuration = ConfigurationOptions.Parse(settings.Redis);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidInputException($"queue.redis: '{Server}' is not a StackExchange.Redis configuration string ({ex.Message}); e.g. \"127.0.0.1:6379,password=…\".", ex);
        }

        if (_configuration.EndPoints.Count == 0)
        {
            throw new InvalidInputException("queue.redis: names no server; e.g. \"127.0.0.1:6379\".");
        }

        _configuration.AbortOnConnectFail = false;
        _configuration.BacklogPolicy = BacklogPolicy.FailFast;
        _configuration.ClientName ??= "deploymind";

        // Replies are completed on .NET's thread pool, not on the client's own dedicated threads: those spin
        // (sched_yield) while idle, which on a small machine took CPU from the requests waiting for the replies (a
        // fifth of the server's CPU under a steady stream of webhooks).
        _configuration.SocketManager = SocketManager.ThreadPool;
        if (!settings.Redis.Contains("connectTimeout", StringComparison.OrdinalIgnoreCase))
        {
            _configuration.ConnectTimeout = (int)DefaultConnectTimeout.TotalMilliseconds;
        }

        // The first connect waits connectTimeout per attempt even when refused: one attempt, then background retries.
        if (!settings.Redis.Contains("connectRetry", StringComparison.OrdinalIgnoreCase))
        {
            _configuration.ConnectRetry = 1;
        }
    }

    /// <summary>The server(s) of <c>queue.redis</c>, without options (no password): for messages.</summary>
    public string Server { get; }

    /// <summary>The key names, under <c>queue.keyPrefix</c>.</summary>
    internal RedisKeys Keys { get; }

    /// <summary>Whether the multiplexer exists and has a connection now.</summary>
    public bool IsConnected => _multiplexer?.IsConnected == true;

    /// <summary>Round trip of a PING (what <c>deploymind validate</c> shows).</summary>
    /// <exception cref="RedisUnavailableException">Redis cannot be reached.</exception>
    public Task<TimeSpan> PingAsync(CancellationToken cancellationToken) => RunAsync(db => db.PingAsync(), cancellationToken);

    /// <summary>
    /// Runs <paramref name="operation"/> on the database; a lost or missing connection becomes a
    /// <see cref="RedisUnavailableException"/>. Redis commands cannot be cancelled once sent: the token is checked
    /// before.
    /// </summary>
    internal async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        cancellationToken.ThrowIfCancellationRequested();
        var multiplexer = await GetMultiplexerAsync(cancellationToken);
        Exception failure;
        try
        {
            return await operation(multiplexer.GetDatabase());
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
        {
            failure = ex;
        }

        throw await UnavailableAsync(failure, cancellationToken);
    }

    /// <summary>
    /// A signal set on every message of <paramref name="channel"/>: subscribed once per connection and channel, kept
    /// across reconnects, shared by everyone waiting on it.
    /// </summary>
    internal async Task<WakeSignal> SignalAsync(RedisChannel channel, CancellationToken cancellationToken)
    {
        var signal = _signals.GetOrAdd(channel, _ => new WakeSignal());
        if (signal.Subscribed)
        {
            return signal;
        }

        var multiplexer = await GetMultiplexerAsync(cancellationToken);
        Exception failure;
        await _connectGate.WaitAsync(cancellationToken);
        try
        {
            if (!signal.Subscribed)
            {
                await multiplexer.GetSubscriber().SubscribeAsync(channel, (_, _) => signal.Set());
                signal.Subscribed = true;
            }

            return signal;
        }
        catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
        {
            // Not subscribed on the server: drop the handler, the next call tries again.
            await multiplexer.GetSubscriber().UnsubscribeAsync(channel, flags: CommandFlags.FireAndForget);
            failure = ex;
        }
        finally
        {
            _connectGate.Release();
        }

        throw await UnavailableAsync(failure, cancellationToken);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _multiplexer?.Dispose();
        _connectGate.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_multiplexer is not null)
        {
            await _multiplexer.DisposeAsync();
        }

        _connectGate.Dispose();
    }

    private async Task<ConnectionMultiplexer> GetMultiplexerAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Volatile.Read(ref _multiplexer) is { } existing)
        {
            return existing;
        }

        await _connectGate.WaitAsync(cancellationToken);
        Exception failure;
        try
        {
            if (_multiplexer is not null)
            {
                return _multiplexer;
            }

            LogConnecting(Server);
            try
            {
                // abortConnect=false: returns after the first attempt even when it failed, and keeps retrying.
                var multiplexer = await ConnectionMultiplexer.ConnectAsync(_configuration);
                multiplexer.ConnectionFailed += OnConnectionFailed;
                multiplexer.ConnectionRestored += OnConnectionRestored;
                Volatile.Write(ref _multiplexer, multiplexer);
                if (!multiplexer.IsConnected)
                {
                    LogNotConnectedYet(Server);
                }

                return multiplexer;
            }
            catch (RedisConnectionException ex)
            {
                failure = ex;
            }
        }
        finally
        {
            _connectGate.Release();
        }

        throw await UnavailableAsync(failure, cancellationToken);
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        _authenticationFailed = e.FailureType == ConnectionFailureType.AuthenticationFailure;
        LogConnectionFailed(Server, e.ConnectionType, e.FailureType);
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        _authenticationFailed = false;
        LogConnectionRestored(Server, e.ConnectionType);
    }

    /// <summary>
    /// The one-line error for a failed call. StackExchange.Redis reports only that there is no connection; why (refused,
    /// unknown host, timed out) comes from a short look at the server's port, made only on this path.
    /// </summary>
    private async Task<RedisUnavailableException> UnavailableAsync(Exception ex, CancellationToken cancellationToken)
    {
        string reason;
        if (_authenticationFailed || IsAuthenticationFailure(ex))
        {
            reason = "authentication failed (check the password in queue.redis)";
        }
        else if (ex is RedisTimeoutException && IsConnected)
        {
            reason = $"no answer within {_configuration.AsyncTimeout} ms";
        }
        else
        {
            reason = await ProbeAsync(cancellationToken) ?? "no connection yet (reconnecting)";
        }

        return new RedisUnavailableException($"Redis at {Server} (queue.redis) is not reachable: {reason}; start it or use queue.provider: embedded.", ex);
    }

    private static bool IsAuthenticationFailure(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Why the first server's port cannot be connected to, or null when it can.</summary>
    private async Task<string?> ProbeAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(_configuration.EndPoints[0], timeout.Token);
            return null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return "connection timed out";
        }
        catch (SocketException socketError)
        {
            return socketError.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host not found",
                SocketError.TimedOut => "connection timed out",
                SocketError.NetworkUnreachable or SocketError.HostUnreachable => "network unreachable",
                _ => socketError.Message.ToLowerInvariant(),
            };
        }
    }

    /// <summary>The endpoints of a configuration string, without its options (passwords among them).</summary>
    private static string Describe(string configuration)
    {
        var endpoints = (configuration ?? string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(part => !part.Contains('=', StringComparison.Ordinal));
        var described = string.Join(",", endpoints);
        return described.Length == 0 ? "(none)" : described;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Connecting to Redis at {Server}")]
    private partial void LogConnecting(string server);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis at {Server} is not reachable yet; retrying in the background")]
    private partial void LogNotConnectedYet(string server);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis at {Server}: {ConnectionType} connection failed ({FailureType}); reconnecting")]
    private partial void LogConnectionFailed(string server, ConnectionType connectionType, ConnectionFailureType failureType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis at {Server}: {ConnectionType} connection restored")]
    private partial void LogConnectionRestored(string server, ConnectionType connectionType);
}
