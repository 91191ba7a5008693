using DeployMind.Application.Jobs;
using StackExchange.Redis;

namespace DeployMind.Infrastructure.Redis;

/// <summary>
/// Every key DeployMind writes, under <c>queue.keyPrefix</c> (several installations may share one Redis). The names
/// are listed in docs/operations.md ("Redis"); change them only together with that list.
/// </summary>
internal sealed class RedisKeys
{
    public RedisKeys(string prefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        Prefix = prefix;
    }

    public string Prefix { get; }

    /// <summary>The stream of an environment's jobs of one priority: <c>{prefix}:jobs:{env}:manual|webhook</c>.</summary>
    public RedisKey Jobs(string environment, JobPriority priority) => $"{Prefix}:jobs:{environment}:{PriorityName(priority)}";

    /// <summary>Jobs handed back with a delay (sorted set, score = due time in Unix ms, Redis's clock).</summary>
    public RedisKey Delayed(string environment) => $"{Prefix}:delayed:{environment}";

    /// <summary>The dead-letter stream of an environment.</summary>
    public RedisKey Dead(string environment) => $"{Prefix}:dead:{environment}";

    /// <summary>Deliveries per job id (hash), across the stream entries a job had.</summary>
    public RedisKey Deliveries => $"{Prefix}:deliveries";

    /// <summary>A job's JSON, kept as long as its idempotency key.</summary>
    public RedisKey Job(Guid id) => $"{Prefix}:job:{id:D}";

    /// <summary>The job id an idempotency key enqueued.</summary>
    public RedisKey Idempotency(string key) => $"{Prefix}:idem:{key}";

    /// <summary>Published on when a job of an environment becomes available (wakes waiting takers).</summary>
    public RedisChannel Wake(string environment) => RedisChannel.Literal($"{Prefix}:wake:{environment}");

    /// <summary>The lock of a deploy target (JSON owner, token, nonce; expires with the lease).</summary>
    public RedisKey Lock(string target) => $"{Prefix}:lock:{target}";

    /// <summary>The counter fencing tokens of a target come from.</summary>
    public RedisKey FenceCounter(string target) => $"{Prefix}:fence-counter:{target}";

    /// <summary>The newest fencing token a step on a target was taken under.</summary>
    public RedisKey Fence(string target) => $"{Prefix}:fence:{target}";

    public static string PriorityName(JobPriority priority) => priority switch
    {
        JobPriority.Manual => "manual",
        JobPriority.Webhook => "webhook",
        _ => throw new ArgumentOutOfRangeException(nameof(priority), priority, "Unknown job priority."),
    };
}
