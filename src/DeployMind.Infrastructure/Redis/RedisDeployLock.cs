using System.Text.Json;
using DeployMind.Application.Jobs;

namespace DeployMind.Infrastructure.Redis;

/// <summary>
/// <see cref="IDeployLock"/> on Redis. A lock is a key <c>{prefix}:lock:{target}</c> holding
/// <c>{"owner","token","nonce"}</c> with a PX lease; the fencing token comes from <c>INCR {prefix}:fence-counter:{target}</c>
/// in the same script as the SET NX, so only successful acquires take a token and tokens only grow. Extend and release
/// compare the nonce in Lua (compare-and-pexpire, compare-and-delete); the fence <c>{prefix}:fence:{target}</c> keeps
/// the newest token a step was taken under. Lease times are Redis's; <see cref="LockInfo.ExpiresAt"/> is this
/// machine's clock plus the remaining PTTL.
/// </summary>
internal sealed class RedisDeployLock : IDeployLock
{
    // KEYS: lock, fence-counter. ARGV: owner, nonce, ttl ms. → the new token, or nil when the lock is held.
    private const string AcquireScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then
            return false
        end
        local token = redis.call('INCR', KEYS[2])
        redis.call('SET', KEYS[1], cjson.encode({owner = ARGV[1], token = token, nonce = ARGV[2]}), 'PX', ARGV[3])
        return token
        """;

    // KEYS: lock. ARGV: nonce, ttl ms. → 1 when extended.
    private const string ExtendScript = """
        local value = redis.call('GET', KEYS[1])
        if not value then
            return 0
        end
        local ok, held = pcall(cjson.decode, value)
        if not ok or type(held) ~= 'table' or held.nonce ~= ARGV[1] then
            return 0
        end
        return redis.call('PEXPIRE', KEYS[1], ARGV[2])
        """;

    // KEYS: lock. ARGV: nonce. → 1 when deleted.
    private const string ReleaseScript = """
        local value = redis.call('GET', KEYS[1])
        if not value then
            return 0
        end
        local ok, held = pcall(cjson.decode, value)
        if not ok or type(held) ~= 'table' or held.nonce ~= ARGV[1] then
            return 0
        end
        return redis.call('DEL', KEYS[1])
        """;

    // KEYS: lock. → {value, pttl} or nil.
    private const string GetScript = """
        local value = redis.call('GET', KEYS[1])
        if not value then
            return false
        end
        return {value, redis.call('PTTL', KEYS[1])}
        """;

    // KEYS: fence. ARGV: token. → 1 when the token is the newest seen (it is recorded), 0 when a newer one was.
    private const string FenceScript = """
        local token = tonumber(ARGV[1])
        local current = tonumber(redis.call('GET', KEYS[1]) or '0')
        if token < current then
            return 0
        end
        if token > current then
            redis.call('SET', KEYS[1], ARGV[1])
        end
        return 1
        """;

    private readonly RedisConnection _redis;
    private readonly TimeProvider _time;

    public RedisDeployLock(RedisConnection redis, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(redis);
        _redis = redis;
        _time = time;
    }

    public async Task<LockHandle?> TryAcquireAsync(string target, string owner, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        var nonce = Guid.NewGuid().ToString("N");
        var result = await _redis.RunAsync(
            db => db.ScriptEvaluateAsync(AcquireScript, [_redis.Keys.Lock(target), _redis.Keys.FenceCounter(target)], [owner, nonce, Milliseconds(ttl)]),
            cancellationToken);
        return result.IsNull ? null : new LockHandle(target, owner, (long)result, nonce);
    }

    public async Task<bool> ExtendAsync(LockHandle handle, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var result = await _redis.RunAsync(
            db => db.ScriptEvaluateAsync(ExtendScript, [_redis.Keys.Lock(handle.Target)], [handle.Nonce, Milliseconds(ttl)]),
            cancellationToken);
        return (long)result == 1;
    }

    public async Task<bool> ReleaseAsync(LockHandle handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var result = await _redis.RunAsync(
            db => db.ScriptEvaluateAsync(ReleaseScript, [_redis.Keys.Lock(handle.Target)], [handle.Nonce]),
            cancellationToken);
        return (long)result == 1;
    }

    public async Task<LockInfo?> GetAsync(string target, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        var result = await _redis.RunAsync(db => db.ScriptEvaluateAsync(GetScript, [_redis.Keys.Lock(target)]), cancellationToken);
        if (result.IsNull)
        {
            return null;
        }

        var value = JsonSerializer.Deserialize((string)result[0]!, RedisJson.Default.RedisLockValue)
            ?? throw new InvalidOperationException($"The lock key of {target} holds no lock value.");
        var pttl = (long)result[1];
        DateTimeOffset? expiresAt = pttl >= 0 ? _time.GetUtcNow().AddMilliseconds(pttl) : null;
        return new LockInfo(target, value.Owner, value.Token, expiresAt);
    }

    public Task<bool> ForceReleaseAsync(string target, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        return _redis.RunAsync(db => db.KeyDeleteAsync(_redis.Keys.Lock(target)), cancellationToken);
    }

    public async Task<bool> CheckFenceAsync(string target, long token, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        var result = await _redis.RunAsync(
            db => db.ScriptEvaluateAsync(FenceScript, [_redis.Keys.Fence(target)], [token]),
            cancellationToken);
        return (long)result == 1;
    }

    private static long Milliseconds(TimeSpan ttl)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        return (long)Math.Ceiling(ttl.TotalMilliseconds);
    }
}
