using System.Globalization;
using System.Text.Json;
using DeployMind.Application.Jobs;
using DeployMind.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DeployMind.Infrastructure.Redis;

/// <summary>
/// <see cref="IJobQueue"/> on Redis Streams: per environment a stream per priority (<c>{prefix}:jobs:{env}:manual</c>,
/// <c>…:webhook</c>) read by the consumer group <c>workers</c>. A take first claims an entry idle past the visibility
/// timeout (XAUTOCLAIM: a dead worker's), then reads a new one (XREADGROUP), manual before webhook; a lease is the
/// entry id and its stream, and stays pending until acked. Delayed jobs wait in <c>{prefix}:delayed:{env}</c> and go
/// back into their stream when due; a failed job waits there too (<c>queue.retryBackoff</c>, doubling per delivery, at most
/// <c>queue.maxRetryBackoff</c>), and one
/// that failed <c>queue.maxDeliveries</c> times goes to <c>{prefix}:dead:{env}</c>.
/// Deliveries are counted per job in <c>{prefix}:deliveries</c>, so they survive the job moving between entries.
/// No blocking commands (the connection is shared): a take polls, woken early by a publish on enqueue.
/// </summary>
internal sealed partial class RedisJobQueue : IJobQueue
{
    /// <summary>The consumer group of every job stream.</summary>
    public const string Group = "workers";

    /// <summary>How long an idempotency key (and the job it names) is remembered.</summary>
    public static readonly TimeSpan IdempotencyTtl = TimeSpan.FromDays(7);

    /// <summary>Dead letters kept per environment (older ones are trimmed).</summary>
    public const int DeadLetterCap = 10_000;

    /// <summary>Longest wait between two looks while taking (a publish on enqueue wakes takers earlier).</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Shortest pause between two looks, so a delayed job due "now" does not spin the loop.</summary>
    private const long MinPauseMs = 10;

    private readonly RedisConnection _redis;
    private readonly RedisKeys _keys;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisJobQueue> _logger;
    private readonly long _visibilityMs;
    private readonly int _maxDeliveries;
    private readonly QueueOptions _options;

    public RedisJobQueue(RedisConnection redis, IOptions<QueueOptions> options, TimeProvider time, ILogger<RedisJobQueue> logger)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        var visibility = settings.Visibility;
        if (visibility <= TimeSpan.Zero)
        {
            throw new InvalidInputException($"queue.visibilityTimeout: '{settings.VisibilityTimeout}' must be longer than zero.");
        }

        if (settings.MaxDeliveries < 1)
        {
            throw new InvalidInputException($"queue.maxDeliveries: {settings.MaxDeliveries} must be 1 or more.");
        }

        settings.CheckRetryBackoff();
        _options = settings;
        _redis = redis;
        _keys = redis.Keys;
        _time = time;
        _logger = logger;
        _visibilityMs = (long)Math.Ceiling(visibility.TotalMilliseconds);
        _maxDeliveries = settings.MaxDeliveries;
    }

    public async Task<EnqueueResult> EnqueueAsync(DeployJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        CheckEnvironment(job.Environment);
        var json = Serialize(job);
        RedisKey[] keys = job.IdempotencyKey is { } key
            ? [_keys.Jobs(job.Environment, job.Priority), _keys.Job(job.Id), _keys.Idempotency(key)]
            : [_keys.Jobs(job.Environment, job.Priority), _keys.Job(job.Id)];
        var result = await _redis.RunAsync(
            db => db.ScriptEvaluateAsync(EnqueueScript, keys, [job.Id.ToString("D"), json, (long)IdempotencyTtl.TotalSeconds, Group, _keys.Wake(job.Environment).ToString()]),
            cancellationToken);
        if ((long)result[0] == 1)
        {
            LogEnqueued(job.Id, job.Environment, job.Priority);
            return new EnqueueResult(job, Added: true);
        }

        var existingId = Guid.Parse((string)result[1]!, CultureInfo.InvariantCulture);
        var existing = await _redis.RunAsync(db => db.StringGetAsync(_keys.Job(existingId)), cancellationToken);
        LogDuplicate(job.IdempotencyKey!, existingId);

        // The job key lives as long as the idempotency key; should it be gone (evicted), the caller still learns the id.
        return new EnqueueResult(existing.IsNull ? job with { Id = existingId } : Deserialize(existing!), Added: false);
    }

    public async Task<JobLease?> TakeAsync(string environment, string consumer, TimeSpan wait, CancellationToken cancellationToken)
    {
        CheckEnvironment(environment);
        ArgumentException.ThrowIfNullOrWhiteSpace(consumer);
        var started = _time.GetTimestamp();
        WakeSignal wake;
        try
        {
            wake = await _redis.SignalAsync(_keys.Wake(environment), cancellationToken);
        }
        catch (RedisUnavailableException)
        {
            // The wake-up subscription is an optimisation: without it (its connection still coming up) this take polls,
            // and the next take subscribes again. If Redis itself is down, the take script below says so.
            wake = new WakeSignal();
        }

        RedisKey[] keys = [_keys.Jobs(environment, JobPriority.Manual), _keys.Jobs(environment, JobPriority.Webhook), _keys.Delayed(environment), _keys.Deliveries];
        while (true)
        {
            var woken = wake.Next;
            var result = await _redis.RunAsync(
                db => db.ScriptEvaluateAsync(TakeScript, keys, [Group, consumer, _visibilityMs]),
                cancellationToken);
            var stream = (long)result[0];
            if (stream != 0)
            {
                var job = Deserialize((string)result[2]!);
                var entry = (string)result[1]!;
                return new JobLease(job, consumer, Token(keys[stream - 1], entry), (int)(long)result[3]);
            }

            var remaining = wait - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                return null;
            }

            // Until woken by an enqueue, or the next delayed job is due, or the next look (idle jobs of dead workers).
            var pause = Min(remaining, PollInterval);
            if ((long)result[1] is >= 0 and var due)
            {
                pause = Min(pause, TimeSpan.FromMilliseconds(Math.Max(due, MinPauseMs)));
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(woken, Task.Delay(pause, _time, stop.Token));
            await stop.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    public async Task<bool> TouchAsync(JobLease lease, CancellationToken cancellationToken)
    {
        var (stream, entry) = Parse(lease);
        var result = await _redis.RunAsync(
            db => db.ScriptEvaluateAsync(TouchScript, [stream], [Group, lease.Consumer, entry]),
            cancellationToken);
        return (long)result == 1;
    }

    public async Task AckAsync(JobLease lease, CancellationToken cancellationToken)
    {
        var (stream, entry) = Parse(lease);
        var result = await _redis.RunAsync(
            db => db.ScriptEvaluateAsync(
                AckScript,
                [stream, _keys.Deliveries, _keys.Job(lease.Job.Id)],
                [Group, lease.Consumer, entry, lease.Job.Id.ToString("D"), lease.Job.IdempotencyKey is null ? 0 : 1]),
            cancellationToken);
        if ((long)result != 1)
        {
            LogLeaseLost("ack", lease.Job.Id, lease.Consumer);
        }
    }

    public async Task ReleaseAsync(JobLease lease, TimeSpan delay, string reason, CancellationToken cancellationToken)
    {
        var (stream, entry) = Parse(lease);
        var result = await _redis.RunAsync(
            db => db.ScriptEvaluateAsync(
                ReleaseScript,
                [stream, _keys.Delayed(lease.Job.Environment), _keys.Deliveries],
                [Group, lease.Consumer, entry, lease.Job.Id.ToString("D"), Serialize(lease.Job), Milliseconds(delay), RedisKeys.PriorityName(lease.Job.Priority), _keys.Wake(lease.Job.Environment).ToString()]),
            cancellationToken);
        if ((long)result == 1)
        {
            LogReleased(lease.Job.Id, delay.TotalSeconds, reason);
        }
        else
        {
            LogLeaseLost("release", lease.Job.Id, lease.Consumer);
        }
    }

    public async Task<bool> FailAsync(JobLease lease, string error, CancellationToken cancellationToken)
    {
        var (stream, entry) = Parse(lease);
        var job = lease.Job;
        var result = await _redis.RunAsync(
            db => db.ScriptEvaluateAsync(
                FailScript,
                [stream, _keys.Delayed(job.Environment), _keys.Deliveries, _keys.Dead(job.Environment), _keys.Job(job.Id)],
                [
                    Group, lease.Consumer, entry, job.Id.ToString("D"), Serialize(job), _maxDeliveries, Milliseconds(_options.RetryDelay(lease.Deliveries)),
                    RedisKeys.PriorityName(job.Priority), _keys.Wake(job.Environment).ToString(), error ?? string.Empty,
                    _time.GetUtcNow().ToUnixTimeMilliseconds(), job.IdempotencyKey is null ? 0 : 1, lease.Deliveries, DeadLetterCap,
                ]),
            cancellationToken);
        switch ((long)result)
        {
            case 1:
                LogDeadLettered(job.Id, job.Environment, lease.Deliveries, error ?? string.Empty);
                return true;
            case 0:
                LogFailed(job.Id, lease.Deliveries, _maxDeliveries, error ?? string.Empty);
                return false;
            default:
                LogLeaseLost("fail", job.Id, lease.Consumer);
                return false;
        }
    }

    public async Task<QueueStats> StatsAsync(string environment, CancellationToken cancellationToken)
    {
        CheckEnvironment(environment);
        var result = await _redis.RunAsync(
            db => db.ScriptEvaluateAsync(
                StatsScript,
                [_keys.Jobs(environment, JobPriority.Manual), _keys.Jobs(environment, JobPriority.Webhook), _keys.Delayed(environment), _keys.Dead(environment)],
                [Group]),
            cancellationToken);

        long waiting = 0, inFlight = 0;
        var oldest = (DateTimeOffset?)null;
        for (var i = 0; i < 2; i++)
        {
            var length = (long)result[3 * i];
            var pending = (long)result[(3 * i) + 1];
            waiting += Math.Max(0, length - pending);
            inFlight += pending;
            oldest = Older(oldest, EnqueuedAt((string?)result[(3 * i) + 2]));
        }

        waiting += (long)result[6];
        foreach (var member in (string[])result[8]!)
        {
            var json = member.Split('|', 3);
            oldest = Older(oldest, json.Length == 3 ? EnqueuedAt(json[2]) : null);
        }

        var age = oldest is { } at ? Max(_time.GetUtcNow() - at, TimeSpan.Zero) : (TimeSpan?)null;
        return new QueueStats(environment, waiting, inFlight, (long)result[7], waiting == 0 ? null : age);
    }

    public async Task<IReadOnlyList<DeadLetter>> DeadLettersAsync(string environment, int limit, CancellationToken cancellationToken)
    {
        CheckEnvironment(environment);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        if (limit == 0)
        {
            return [];
        }

        var entries = await _redis.RunAsync(
            db => db.StreamRangeAsync(_keys.Dead(environment), minId: "-", maxId: "+", count: limit, messageOrder: Order.Descending),
            cancellationToken);
        var letters = new List<DeadLetter>(entries.Length);
        foreach (var entry in entries)
        {
            var json = entry["job"];
            if (json.IsNull)
            {
                continue;
            }

            var at = entry["at"].TryParse(out long ms) ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : DateTimeOffset.FromUnixTimeMilliseconds(EntryMilliseconds(entry.Id!));
            letters.Add(new DeadLetter(Deserialize(json!), (int)entry["deliveries"], entry["error"].ToString(), at));
        }

        return letters;
    }

    private static string Token(RedisKey stream, string entry) => $"{entry}@{stream}";

    private static (RedisKey Stream, string Entry) Parse(JobLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var at = lease.Token.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at == lease.Token.Length - 1)
        {
            throw new ArgumentException($"'{lease.Token}' is not a lease of the Redis queue.", nameof(lease));
        }

        return (lease.Token[(at + 1)..], lease.Token[..at]);
    }

    private static void CheckEnvironment(string environment) => ArgumentException.ThrowIfNullOrWhiteSpace(environment);

    private static string Serialize(DeployJob job) => JsonSerializer.Serialize(job, RedisJson.Default.DeployJob);

    private static DeployJob Deserialize(string json) =>
        JsonSerializer.Deserialize(json, RedisJson.Default.DeployJob) ?? throw new InvalidOperationException("A queue entry holds no job.");

    private static DateTimeOffset? EnqueuedAt(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return Deserialize(json).EnqueuedAt;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static long EntryMilliseconds(string entryId) =>
        long.TryParse(entryId.AsSpan(0, Math.Max(0, entryId.IndexOf('-', StringComparison.Ordinal))), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : 0;

    private static long Milliseconds(TimeSpan delay) => delay <= TimeSpan.Zero ? 0 : (long)Math.Ceiling(delay.TotalMilliseconds);

    private static DateTimeOffset? Older(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : (a < b ? a : b);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
